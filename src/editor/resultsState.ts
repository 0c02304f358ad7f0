// The latest results per item and language, kept in memory for lenses, decorations and hovers, and persisted
// in workspaceState so they survive a reload. Pure (no vscode import): the Memento is passed in.
import type { RunRecord } from '../core/results';
import type { ItemResultsView } from '../core/language/services/resultText';
import type { EditorSummary } from './analysisSources';

export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

interface Entry {
  latest: Record<string, RunRecord>;
  paraphrases: Record<string, Record<string, RunRecord>>;
}

type Persisted = Record<string, Record<string, Entry>>;

export const RESULTS_STATE_KEY = 'valueLens.results.v1';

export class ResultsState {
  private readonly byUri: Persisted;
  private readonly running = new Map<string, Set<string>>();
  private readonly listeners = new Set<(uri: string) => void>();
  private alignment: Record<string, number | null> = {};
  private consistency: Record<string, number | null> = {};
  private persistTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly memento?: MementoLike,
    private readonly persistDelayMs = 500,
  ) {
    const stored = memento?.get<Persisted>(RESULTS_STATE_KEY);
    this.byUri = stored && typeof stored === 'object' ? stored : {};
  }

  onDidChange(listener: (uri: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(uri: string): void {
    for (const listener of this.listeners) listener(uri);
  }

  /** Stores a record as the latest for its item, language and paraphrase. */
  record(uri: string, record: RunRecord): void {
    const items = (this.byUri[uri] ??= {});
    const entry = (items[record.itemId] ??= { latest: {}, paraphrases: {} });
    if (record.paraphrase === null) {
      entry.latest[record.language] = record;
    } else {
      (entry.paraphrases[record.language] ??= {})[String(record.paraphrase)] = record;
    }
    this.schedulePersist();
    this.fire(uri);
  }

  /** Marks an item (tag '*'), a language or 'paraphrases' of it as running or done. */
  setRunning(uri: string, itemId: string, tag: string, on: boolean): void {
    const key = `${uri}\n${itemId}`;
    const tags = this.running.get(key) ?? new Set<string>();
    if (on) tags.add(tag);
    else tags.delete(tag);
    if (tags.size) this.running.set(key, tags);
    else this.running.delete(key);
    this.fire(uri);
  }

  isRunning(): boolean {
    return this.running.size > 0;
  }

  /** Per-language alignment r (shown in language lenses) and self-consistency (shown in the hover) from the latest analysis. */
  setSummary(summary: EditorSummary): void {
    this.alignment = summary.alignment;
    this.consistency = summary.consistency;
    for (const uri of Object.keys(this.byUri)) this.fire(uri);
  }

  view(uri: string, itemId: string, currentHash?: string): ItemResultsView {
    const entry = this.byUri[uri]?.[itemId];
    return {
      latest: entry?.latest ?? {},
      paraphrases: entry?.paraphrases ?? {},
      currentHash,
      running: this.running.get(`${uri}\n${itemId}`) ?? new Set(),
      r: this.alignment,
      consistency: this.consistency,
    };
  }

  hasResults(uri: string): boolean {
    return Object.keys(this.byUri[uri] ?? {}).length > 0;
  }

  clear(uri?: string): void {
    const uris = uri ? [uri] : Object.keys(this.byUri);
    for (const u of uris) delete this.byUri[u];
    this.schedulePersist();
    for (const u of uris) this.fire(u);
  }

  private schedulePersist(): void {
    if (!this.memento || this.persistTimer) return;
    this.persistTimer = setTimeout(() => void this.flush(), this.persistDelayMs);
  }

  async flush(): Promise<void> {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    await this.memento?.update(RESULTS_STATE_KEY, this.byUri);
  }
}
