// One row of the `npm run bench` scoreboard. Each bench module exports `run(): Promise<BenchRow[]>`.
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "≤ 20 ms" or "≥ 3×". */
  target?: string;
  /** Whether the target was met; undefined when the row has no target. */
  pass?: boolean;
  note?: string;
}
