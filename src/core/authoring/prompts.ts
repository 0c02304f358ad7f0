// The prompts used to generate paraphrases and translations. They live in a .wvt file that users can edit
// (`templates/authoring.wvt` ships as the default); authoring slots ({text}, {count}, {language},
// {source_language}) are filled here, not by the survey renderer.
import type { TemplateFile } from '../language/ast';
import { fillSlots } from '../prompt/render';

export interface AuthoringPrompt {
  system?: string;
  user: string;
}

export interface AuthoringPrompts {
  paraphrase: AuthoringPrompt;
  translate: AuthoringPrompt;
}

/**
 * Fills `{name}` slots from `values`; unknown slots stay as written; `{{`/`}}` are literal braces. The
 * prompt renderer's filler, so authoring prompts and item prompts read one slot grammar.
 */
export function fillAuthoringSlots(text: string, values: Record<string, string>): string {
  return fillSlots(text, values);
}

/** Built-in prompts, used when no authoring file is found; they match templates/authoring.wvt. */
export const DEFAULT_AUTHORING_PROMPTS: AuthoringPrompts = {
  paraphrase: {
    system:
      'You rewrite survey prompt templates. Keep the meaning and every placeholder in curly braces exactly as written, each exactly once. Do not add new placeholders.',
    user: 'Write {count} different paraphrases of the following {language} prompt template, in {language}. Keep every placeholder in curly braces, such as {{topic}} or {{question}}, unchanged. Answer with a numbered list and nothing else.\n\n```\n{text}\n```',
  },
  translate: {
    system:
      'You are a perfect translation machine. You translate any user message perfectly, idiomatically and directly to {language}. You leave anything in curly brackets exactly as it is. Do not write anything but the translation.',
    user: '```translate\n{text}\n```',
  },
};

/** Names of the templates an authoring prompts file must define. */
export const AUTHORING_TEMPLATE_NAMES = ['paraphrase', 'translate'] as const;

export interface LoadedAuthoringPrompts {
  prompts: AuthoringPrompts;
  /** What was taken from the defaults instead, and why (for the log). */
  problems: string[];
}

/**
 * Reads the `paraphrase` and `translate` templates of a parsed authoring file. The instructions are written
 * in English (the model is told the target language by name), so the `en` part is used, else the first
 * language present. A template that is missing or has no user part falls back to the built-in prompt.
 */
export function loadAuthoringPrompts(file: TemplateFile): LoadedAuthoringPrompts {
  const problems: string[] = [];
  const pick = (parts: Record<string, { value: string }>): string | undefined => (parts.en ?? Object.values(parts)[0])?.value;
  const load = (name: (typeof AUTHORING_TEMPLATE_NAMES)[number]): AuthoringPrompt => {
    const template = file.templates.find((t) => t.name === name);
    const user = template ? pick(template.user) : undefined;
    if (!template || user === undefined) {
      problems.push(
        template ? `template ${name} has no user part: using the built-in prompt` : `no template ${name}: using the built-in prompt`,
      );
      return DEFAULT_AUTHORING_PROMPTS[name];
    }
    if (!/\{text\}/.test(user)) problems.push(`template ${name} has no {text} slot: the model will not see the text`);
    const system = pick(template.system);
    return system === undefined ? { user } : { system, user };
  };
  const errors = file.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors.slice(0, 5)) problems.push(`line ${d.range.start.line + 1}: ${d.message}`);
  return { prompts: { paraphrase: load('paraphrase'), translate: load('translate') }, problems };
}
