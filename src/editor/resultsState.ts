// The results the item lenses, decorations and hovers show, per items file, item, language and paraphrase.
// Pure (no vscode import): the Memento is passed in. Three rules (issue 19):
//  - only original-order records are shown inline: the option-order check's other orders are kept apart,
//    for its labelled hover section, never "the" result of an item;
//  - a failure never hides a good result: the last good record stays, the failures since it are counted
//    beside it (a later good record clears the count);
//  - the same records give the same state, live or replayed from the corpus after a reload.
import { orderName } from '../core/corpus/records';
import type { RunRecord } from '../core/results';
import { wasCancelled, type ItemResultsView } from '../core/resultText';
import type { EditorSummary } from './analysisSources';

export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** Failures since the last good record of one slot (a language, or a language × paraphrase). */
export interface FailureCount {
  count: number;
  /** The latest failure's message, for tooltips and hovers. */
  message: string;
  at: string;
}

interface Entry {
  latest: Record<string, RunRecord>;
  paraphrases: Record<string, Record<string, RunRecord>>;
  /** Slot key (language, or `language#paraphrase`) → failures since its last good record. */
  failures?: Record<string, FailureCount>;
  /** Results in other option orders (the option-order check), by order and language: never shown as the result. */
  orders?: Record<string, Record<string, RunRecord>>;
}

type Persisted = Record<string, Record<string, Entry>>;

export const RESULTS_STATE_KEY = 'valueLens.results.v1';

/** The option order a record was shown in ('original' for records of versions without the field). */
export function recordOrder(record: RunRecord): string {
  return record.order ?? orderName(record.optionOrder);
}

function slotKey(language: string, paraphrase: number | null): string {
  return paraphrase === null ? language : `${language}#${paraphrase}`;
}

export class ResultsState {
  private readonly byUri: Persisted;
  private readonly running = new Map<string, Set<string>>();
  private readonly listeners = new Set<(uri: string) => void>();
  private summary: EditorSummary = { alignment: {}, consistency: {} };
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

  /**
   * Takes a record of a run: an original-order record becomes its slot's result, unless it is a failure and
   * the slot holds a good result, which then stays with the failure counted beside it. Other orders are
   * ignored here (the option-order check reports them). Returns whether the record was shown.
   */
  record(uri: string, record: RunRecord): boolean {
    const items = (this.byUri[uri] ??= {});
    const entry = (items[record.itemId] ??= { latest: {}, paraphrases: {} });
    const order = recordOrder(record);
    if (order !== 'original') {
      // Kept for the check's hover section only (template, good results).
      if (record.paraphrase === null && record.kind === 'result') ((entry.orders ??= {})[order] ??= {})[record.language] = record;
      this.schedulePersist();
      this.fire(uri);
      return false;
    }
    const slots = record.paraphrase === null ? entry.latest : (entry.paraphrases[record.language] ??= {});
    const index = record.paraphrase === null ? record.language : String(record.paraphrase);
    const key = slotKey(record.language, record.paraphrase);
    const previous = slots[index];
    if (record.kind === 'failure' && wasCancelled(record)) {
      // Stopped by the user: not a failure to count; it only fills a slot that had nothing yet.
      if (!previous) slots[index] = record;
    } else if (record.kind === 'failure') {
      const failures = (entry.failures ??= {});
      const count = failures[key];
      failures[key] = { count: (count?.count ?? 0) + 1, message: record.error.message, at: record.at };
      if (!previous || previous.kind === 'failure') slots[index] = record;
    } else {
      slots[index] = record;
      if (entry.failures) delete entry.failures[key];
    }
    this.schedulePersist();
    this.fire(uri);
    return true;
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

  /**
   * Per-language figures of the latest analysis: alignment r (a file-level figure: shown once per file,
   * never on each item) and self-consistency (shown in the item hover beside the paraphrase spread).
   */
  setSummary(summary: EditorSummary): void {
    this.summary = summary;
    for (const uri of Object.keys(this.byUri)) this.fire(uri);
    this.fire('');
  }

  get editorSummary(): EditorSummary {
    return this.summary;
  }

  view(
    uri: string,
    itemId: string,
    currentHash?: string,
  ): ItemResultsView & { failures: Record<string, FailureCount>; orders: Record<string, Record<string, RunRecord>> } {
    const entry = this.byUri[uri]?.[itemId];
    return {
      latest: entry?.latest ?? {},
      paraphrases: entry?.paraphrases ?? {},
      currentHash,
      running: this.running.get(`${uri}\n${itemId}`) ?? new Set(),
      consistency: this.summary.consistency,
      failures: entry?.failures ?? {},
      orders: entry?.orders ?? {},
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
