// Asks a model for paraphrases or translations and checks what comes back. Pure orchestration over the
// ModelProvider contract, so the editor's preview flow and the tests share it.
import { ProviderError, type ChatMessage, type ModelProvider } from '../model';
import { parseCandidates, stripChatter } from './candidates';
import { authoringError } from './errors';
import { checkParaphrases, formatProblem, labelProblem, slotProblem, translationProblem, type CandidateVerdict } from './checks';
import { fillAuthoringSlots, type AuthoringPrompt } from './prompts';
import { languageName } from './languages';

export interface AuthoringModel {
  provider: ModelProvider;
  model: string;
  temperature?: number;
  seed?: number;
  timeoutMs?: number;
}

export interface ParaphraseRequest {
  /** The template's user part to paraphrase. */
  original: string;
  language: string;
  count: number;
  /** Paraphrases already in the file: a candidate equal to one of them is a duplicate. */
  existing?: string[];
}

export interface ParaphraseOutcome {
  accepted: CandidateVerdict[];
  rejected: CandidateVerdict[];
  /** The model's raw answer, for the log and for users who want to see it. */
  raw: string;
  /** Set when the model returned fewer usable candidates than asked for. */
  shortfall: number;
}

/** Longest wait honoured for a server's Retry-After before giving up (authoring is interactive). */
const MAX_RETRY_WAIT_MS = 5_000;

/**
 * One chat request; a retryable failure (busy, rate limit, network) gets one more attempt. Every failure
 * comes out as an AuthoringError whose message says what to fix.
 */
async function ask(model: AuthoringModel, messages: ChatMessage[], maxTokens: number, signal: AbortSignal): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await model.provider.complete({
        model: model.model,
        messages,
        maxTokens,
        temperature: model.temperature ?? 0.7,
        seed: model.seed,
        signal,
        timeoutMs: model.timeoutMs ?? 120_000,
      });
      return response.choices[0]?.text ?? '';
    } catch (error) {
      const wait =
        error instanceof ProviderError && error.retryable && attempt < 2 && !signal.aborted
          ? Math.min(error.retryAfterMs ?? 500, MAX_RETRY_WAIT_MS)
          : -1;
      if (wait < 0) throw authoringError(error, model.model, model.provider.origin);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function render(prompt: AuthoringPrompt, values: Record<string, string>): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (prompt.system) messages.push({ role: 'system', content: fillAuthoringSlots(prompt.system, values) });
  messages.push({ role: 'user', content: fillAuthoringSlots(prompt.user, values) });
  return messages;
}

/** Generates N paraphrases of a template text; each candidate is checked and kept or rejected with a reason. */
export async function generateParaphrases(
  model: AuthoringModel,
  prompt: AuthoringPrompt,
  request: ParaphraseRequest,
  signal: AbortSignal,
): Promise<ParaphraseOutcome> {
  const raw = await ask(
    model,
    render(prompt, { text: request.original, count: String(request.count), language: languageName(request.language) }),
    Math.min(4096, 200 + request.count * 160),
    signal,
  );
  const verdicts = checkParaphrases(
    request.original,
    parseCandidates(raw, { keepLineBreaks: request.original.includes('\n') }),
    request.existing ?? [],
  );
  const accepted = verdicts.filter((v) => v.ok).slice(0, request.count);
  const surplus = verdicts
    .filter((v) => v.ok)
    .slice(request.count)
    .map((v) => ({ ...v, ok: false, reason: 'more than asked for' }));
  const rejected = [...verdicts.filter((v) => !v.ok), ...surplus];
  return { accepted, rejected, raw, shortfall: Math.max(0, request.count - accepted.length) };
}

export interface TranslationRequest {
  text: string;
  from: string;
  to: string;
}

export interface TranslationOutcome extends CandidateVerdict {
  raw: string;
}

/** Translates one text (a template part, an item's wording) and checks that its slots survived. */
export async function translateText(
  model: AuthoringModel,
  prompt: AuthoringPrompt,
  request: TranslationRequest,
  signal: AbortSignal,
): Promise<TranslationOutcome> {
  const raw = await ask(
    { ...model, temperature: model.temperature ?? 0 },
    render(prompt, { text: request.text, language: languageName(request.to), source_language: languageName(request.from), count: '1' }),
    Math.min(4096, 64 + request.text.length * 2),
    signal,
  );
  const text = stripChatter(stripFence(raw), request.text).trim();
  if (text === '') return { text, ok: false, reason: 'the model returned no text', raw };
  // Slots first (the contract with the renderer), then whether it can be wording in the target language at all.
  const problem = slotProblem(request.text, text) ?? formatProblem(text) ?? translationProblem(request.text, text, request.to);
  if (problem) return { text, ok: false, reason: problem, raw };
  return { text, ok: true, raw };
}

/** Translates a list of option labels in one request and maps them back by position. */
export async function translateLabels(
  model: AuthoringModel,
  prompt: AuthoringPrompt,
  labels: string[],
  from: string,
  to: string,
  signal: AbortSignal,
): Promise<{ labels: string[]; ok: boolean; reason?: string; raw: string }> {
  const numbered = labels.map((label, index) => `${index + 1}. ${label}`).join('\n');
  const outcome = await translateText(model, prompt, { text: numbered, from, to }, signal);
  const translated = parseCandidates(outcome.text);
  const bad = translated.find((label) => label.includes('|') || formatProblem(label) !== undefined);
  if (bad !== undefined) return { labels: translated, ok: false, reason: `the label "${bad}" contains '|' or '#'`, raw: outcome.raw };
  if (translated.length !== labels.length) {
    return { labels: translated, ok: false, reason: `expected ${labels.length} labels, got ${translated.length}`, raw: outcome.raw };
  }
  const implausible = translated.map((label, index) => labelProblem(labels[index] ?? '', label, to)).find((p) => p !== undefined);
  if (implausible) return { labels: translated, ok: false, reason: implausible, raw: outcome.raw };
  return { labels: translated, ok: true, raw: outcome.raw };
}

/** The inside of the first code fence, when the answer has one (an unclosed fence runs to the end). */
export function stripFence(text: string): string {
  const normalised = text.replace(/\r\n?/g, '\n');
  const fenced = /```[\w-]*[ \t]*\n([\s\S]*?)\n?```/.exec(normalised) ?? /^\s*```[\w-]*[ \t]*\n([\s\S]*)$/.exec(normalised);
  return fenced ? fenced[1] : normalised;
}
