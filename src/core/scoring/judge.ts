// The judge method (Rystrøm, Kirk & Hale 2025, arXiv 2502.16534): a model writes interview summaries about
// an item's topic, a second request labels every summary pro, con or neither against the item's two stance
// statements, and the pro share is pro / (pro + con) ("neither" is ignored, as the paper's NULL). This module
// builds the judge request and reads its answer strictly: a label that is not one of the three is counted as
// unparseable, never guessed, and a reply that is not the asked-for JSON is no reply at all.

import type { ChatMessage } from '../model';

export type StanceLabel = 'pro' | 'con' | 'neither';

/** What the judge request asks for, sent as structured output where the endpoint supports it. */
export const JUDGE_SCHEMA_NAME = 'stance_labels';
export const JUDGE_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: { labels: { type: 'array', items: { type: 'string', enum: ['pro', 'con', 'neither'] } } },
  required: ['labels'],
  additionalProperties: false,
};

/** Generation: enough output for ten short summaries; the paper's format numbers them 1–10. */
export const JUDGE_GENERATION_MAX_TOKENS = 600;
export const JUDGE_GENERATION_STOP = ['11.'];
/** The judge's answer is a short JSON list; greedy, so the same summaries get the same labels. */
export const JUDGE_MAX_TOKENS = 200;
export const JUDGE_TEMPERATURE = 0;

/** A line the fakes and the parser agree marks the judge prompt (tests look for it). */
export const JUDGE_MARKER = 'Label each summary';

export interface StanceStatements {
  pro: string;
  con: string;
}

/** The judge request's messages: the two statements, then the generated text between fences. */
export function judgeMessages(generated: string, stance: StanceStatements): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'You classify short interview summaries. For each summary, decide whether the person agrees with statement PRO, agrees with statement CON, or neither (neutral, mixed or off topic).',
    },
    {
      role: 'user',
      content: [
        `PRO: ${stance.pro}`,
        `CON: ${stance.con}`,
        '',
        `${JUDGE_MARKER} of the text below, in order, as "pro", "con" or "neither". Answer with JSON only: {"labels": ["pro", "con", …]}, one label per summary.`,
        '',
        'Text:',
        '"""',
        generated.trim(),
        '"""',
      ].join('\n'),
    },
  ];
}

export type JudgeReading =
  | { ok: true; labels: StanceLabel[]; pro: number; con: number; neither: number; unparseable: number }
  | { ok: false; message: string };

/**
 * Reads the judge's reply: `{"labels": [...]}` or a bare JSON list, optionally inside one markdown code
 * fence. Labels are matched case-insensitively after trimming; JSON null and "null" are the paper's NULL
 * (neither). Anything else in the list is counted as unparseable; anything else as the reply is an error.
 */
export function readJudgeReply(text: string): JudgeReading {
  const body = unfence(text.trim());
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, message: `The judge's reply is not JSON: ${preview(text)}` };
  }
  const list = Array.isArray(value)
    ? value
    : value && typeof value === 'object' && Array.isArray((value as { labels?: unknown }).labels)
      ? (value as { labels: unknown[] }).labels
      : undefined;
  if (!list) return { ok: false, message: `The judge's reply has no list of labels: ${preview(text)}` };
  const out: JudgeReading & { ok: true } = { ok: true, labels: [], pro: 0, con: 0, neither: 0, unparseable: 0 };
  for (const entry of list) {
    const label = labelOf(entry);
    if (!label) {
      out.unparseable++;
      continue;
    }
    out.labels.push(label);
    out[label]++;
  }
  return out;
}

/** pro / (pro + con); undefined when no summary took a side (the paper drops such rows). */
export function stanceShare(counts: { pro: number; con: number }): number | undefined {
  const d = counts.pro + counts.con;
  return d > 0 ? counts.pro / d : undefined;
}

function labelOf(entry: unknown): StanceLabel | undefined {
  if (entry === null) return 'neither';
  if (typeof entry !== 'string') return undefined;
  const t = entry.trim().toLowerCase();
  if (t === 'pro' || t === 'con' || t === 'neither') return t;
  if (t === 'null') return 'neither';
  return undefined;
}

/** The content of a single ```/```json fence around the whole reply; the text itself otherwise. */
function unfence(text: string): string {
  const m = /^```[a-zA-Z]*\s*\n?([\s\S]*?)\n?\s*```$/.exec(text);
  return m ? m[1].trim() : text;
}

function preview(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(t.length > 80 ? `${t.slice(0, 80)}…` : t);
}
