// Translation jobs over whole blocks: a template (system and user parts: the scaffolding is translated too,
// not only the question), a paraphrase set, or an item (wording, topic, and its scale's labels when the scale
// lacks the language). One request per text, so a slot lost in one text cannot hide in a batch.
import type { Item, ParaphraseSet, Scale, Template } from '../language/ast';
import { findScaffolding } from '../language/scaffolding';
import { translateLabels, translateText, type AuthoringModel, type TranslationOutcome } from './generate';
import type { AuthoringPrompt } from './prompts';

export interface LabelsOutcome {
  labels: string[];
  ok: boolean;
  reason?: string;
  raw: string;
}

export interface TemplateTranslation {
  user: TranslationOutcome;
  system?: TranslationOutcome;
}

export interface ItemTranslation {
  text?: TranslationOutcome;
  topic?: TranslationOutcome;
  /** Present when the item's scale had no labels in the target language. */
  labels?: LabelsOutcome;
}

/** Reports the step being worked on (for a progress bar) and lets the caller stop between requests. */
export interface JobHooks {
  signal: AbortSignal;
  onStep?(done: number, total: number, what: string): void;
}

/** The language to translate from: English when present (the usual source), else the first written. */
export function sourceLanguage(parts: Record<string, unknown>, preferred?: string): string | undefined {
  if (preferred && Object.prototype.hasOwnProperty.call(parts, preferred)) return preferred;
  if (Object.prototype.hasOwnProperty.call(parts, 'en')) return 'en';
  return Object.keys(parts)[0];
}

/** Adds a warning (not a rejection) when English instruction words survived a translation. */
function withScaffoldingNote(outcome: TranslationOutcome, to: string): TranslationOutcome {
  if (!outcome.ok) return outcome;
  const hits = findScaffolding(outcome.text, to);
  if (hits.length === 0) return outcome;
  return { ...outcome, note: `English words left: ${[...new Set(hits.map((h) => h.word))].join(', ')}` };
}

async function step<T>(hooks: JobHooks, index: number, total: number, what: string, run: () => Promise<T>): Promise<T> {
  hooks.onStep?.(index, total, what);
  return run();
}

export async function translateTemplate(
  model: AuthoringModel,
  prompt: AuthoringPrompt,
  template: Template,
  from: string,
  to: string,
  hooks: JobHooks,
): Promise<TemplateTranslation> {
  const user = template.user[from];
  if (!user) throw new Error(`Template ${template.name} has no text in '${from}'`);
  const system = template.system[from] ?? Object.values(template.system)[0];
  const total = system ? 2 : 1;
  const out: TemplateTranslation = {
    user: withScaffoldingNote(
      await step(hooks, 0, total, `template ${template.name}`, () =>
        translateText(model, prompt, { text: user.value, from, to }, hooks.signal),
      ),
      to,
    ),
  };
  if (system) {
    const systemFrom = template.system[from] ? from : system.language;
    out.system = withScaffoldingNote(
      await step(hooks, 1, total, `system part of ${template.name}`, () =>
        translateText(model, prompt, { text: system.value, from: systemFrom, to }, hooks.signal),
      ),
      to,
    );
  }
  hooks.onStep?.(total, total, 'done');
  return out;
}

export async function translateParaphraseSet(
  model: AuthoringModel,
  prompt: AuthoringPrompt,
  set: ParaphraseSet,
  from: string,
  to: string,
  hooks: JobHooks,
): Promise<TranslationOutcome[]> {
  const variants = set.variants[from] ?? [];
  if (variants.length === 0) throw new Error(`Paraphrase set ${set.name} has no entries in '${from}'`);
  const out: TranslationOutcome[] = [];
  for (const [index, variant] of variants.entries()) {
    out.push(
      withScaffoldingNote(
        await step(hooks, index, variants.length, `paraphrase ${index + 1}`, () =>
          translateText(model, prompt, { text: variant.value, from, to }, hooks.signal),
        ),
        to,
      ),
    );
  }
  hooks.onStep?.(variants.length, variants.length, 'done');
  return out;
}

/** The label list of a scale in one language, as written (numeric scales: the two end labels). */
export function scaleLabels(scale: Scale, language: string): string[] | undefined {
  return scale.labelLines[language]?.labels;
}

export async function translateItem(
  model: AuthoringModel,
  prompt: AuthoringPrompt,
  item: Item,
  from: string,
  to: string,
  hooks: JobHooks,
): Promise<ItemTranslation> {
  const text = item.texts[from];
  const topicSource = item.topics[from] ?? item.topics[sourceLanguage(item.topics) ?? ''];
  const scale = item.scale;
  const labelSource = scale && !scale.labelLines[to] ? (scaleLabels(scale, from) ?? Object.values(scale.labelLines)[0]?.labels) : undefined;
  const labelFrom = scale && labelSource ? (scale.labelLines[from] ? from : (Object.values(scale.labelLines)[0]?.language ?? from)) : from;
  const doText = text !== undefined && !item.texts[to];
  const doTopic = topicSource !== undefined && !item.topics[to];
  const steps = [doText, doTopic, labelSource !== undefined].filter(Boolean).length;
  let done = 0;
  const out: ItemTranslation = {};
  if (text && doText) {
    out.text = withScaffoldingNote(
      await step(hooks, done++, steps, `item ${item.id}`, () => translateText(model, prompt, { text: text.value, from, to }, hooks.signal)),
      to,
    );
  }
  if (topicSource && doTopic) {
    out.topic = await step(hooks, done++, steps, `topic of ${item.id}`, () =>
      translateText(model, prompt, { text: topicSource.value, from: topicSource.language, to }, hooks.signal),
    );
  }
  if (labelSource && labelSource.length > 0) {
    out.labels = await step(hooks, done, steps, `labels of scale ${scale?.name}`, () =>
      translateLabels(model, prompt, labelSource, labelFrom, to, hooks.signal),
    );
  }
  hooks.onStep?.(steps, steps, 'done');
  return out;
}
