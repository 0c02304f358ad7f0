// How far a run is: one definition for the runner, the editor's progress board and the panel's webview
// protocol (src/shared/protocol.ts re-exports it, so this file stays free of Node and DOM APIs).

export interface RunProgress {
  done: number;
  total: number;
  failed: number;
  cached: number;
  /** False once the run has finished or was cancelled; absent means still running (the panel's view). */
  running?: boolean;
}
