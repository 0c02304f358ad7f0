// The prompts used to generate paraphrases and translations. They live in a .wvt file that users can edit
// (`templates/authoring.wvt` ships as the default); authoring slots ({text}, {count}, {language},
// {source_language}) are filled here, not by the survey renderer.

export interface AuthoringPrompt {
  system?: string;
  user: string;
}

export interface AuthoringPrompts {
  paraphrase: AuthoringPrompt;
  translate: AuthoringPrompt;
}

/** Fills `{name}` slots from `values`; unknown slots stay as written; `{{`/`}}` are literal braces. */
export function fillAuthoringSlots(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    return name !== undefined && Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
  });
}

/** Built-in prompts, used when no authoring file is found; they match templates/authoring.wvt. */
export const DEFAULT_AUTHORING_PROMPTS: AuthoringPrompts = {
  paraphrase: {
    system:
      'You rewrite survey prompt templates. Keep the meaning and every placeholder in curly braces exactly as written, each exactly once. Do not add new placeholders.',
    user:
      'Write {count} different paraphrases of the following {language} prompt template, in {language}. Keep every placeholder in curly braces, such as {{topic}} or {{question}}, unchanged. Answer with a numbered list and nothing else.\n\n```\n{text}\n```',
  },
  translate: {
    system:
      'You are a perfect translation machine. You translate any user message perfectly, idiomatically and directly to {language}. You leave anything in curly brackets exactly as it is. Do not write anything but the translation.',
    user: '```translate\n{text}\n```',
  },
};
