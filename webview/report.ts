// Light shape checks for reports and host messages arriving in the webview. The host is trusted, but an
// HTML report file may be old or hand-edited: missing arrays become empty, a non-object is rejected, so the
// renderer never throws on a field it expects.
import type { AnalysisFilter, AnalysisReport } from '../src/core/analysis';
import { parseFilter, type HostMessage, type RunProgress, type StudyMessage } from '../src/shared/protocol';
import { parseStudyAnalysis, type ParsedStudy } from '../src/shared/study-parse';

/** A host message as the view uses it: a study arrives checked, with the count of rows left out. */
export type ParsedHostMessage = Exclude<HostMessage, StudyMessage> | { type: 'study'; study: ParsedStudy | null };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const array = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]).filter(isObject) : []);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export function normaliseReport(value: unknown): AnalysisReport | undefined {
  if (!isObject(value)) return undefined;
  const counts = isObject(value.counts) ? value.counts : {};
  return {
    generatedAt: typeof value.generatedAt === 'string' ? value.generatedAt : '',
    filter: parseFilter(value.filter) ?? {},
    models: strings(value.models),
    languages: strings(value.languages),
    templates: strings(value.templates),
    methods: strings(value.methods),
    categories: strings(value.categories),
    alignment: array(value.alignment),
    scatter: array<AnalysisReport['scatter'][number]>(value.scatter).map((s) => ({ ...s, points: array(s.points) })),
    byCategory: array(value.byCategory),
    consistency: array<AnalysisReport['consistency'][number]>(value.consistency).map((c) => ({ ...c, items: array(c.items) })),
    usBias: array(value.usBias),
    positionBias: array(value.positionBias),
    counts: {
      results: count(counts.results),
      failures: count(counts.failures),
      items: count(counts.items),
      humanRows: count(counts.humanRows),
    },
  };
}

function parseProgress(value: unknown): RunProgress | null {
  if (!isObject(value)) return null;
  return {
    done: count(value.done),
    total: count(value.total),
    failed: count(value.failed),
    cached: count(value.cached),
    running: value.running !== false,
  };
}

/** A host message in a shape the view can use, or undefined for anything else. */
export function parseHostMessage(value: unknown): ParsedHostMessage | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'study') {
    if (value.analysis === null) return { type: 'study', study: null };
    const study = parseStudyAnalysis(value.analysis);
    return study ? { type: 'study', study } : undefined;
  }
  if (value.type === 'report') {
    const report = normaliseReport(value.report);
    if (!report) return undefined;
    const filter: AnalysisFilter = parseFilter(value.filter) ?? report.filter;
    return { type: 'report', report, filter, progress: parseProgress(value.progress) };
  }
  if ((value.type === 'error' || value.type === 'notice') && typeof value.message === 'string') {
    return { type: value.type, message: value.message.slice(0, 2000) };
  }
  return undefined;
}
