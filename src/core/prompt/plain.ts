// Chat messages → one plain text for a base (non-chat) model, which continues text instead of answering
// turns. The rendering keeps every word of the template (system text, question, options, instruction) and
// ends in an answer cue ("Answer:") so that the most likely next token is an option label: the usual
// multiple-choice completion format, as used for survey items by Dominguez-Olmedo et al. 2023 (arXiv 2306.07951).
// No chat template and no role names: those are what a base model has never been trained on.

import type { ChatMessage } from '../model';

/** The cue per language; a template in Danish should not end in an English word. */
const ANSWER_CUES: Record<string, string> = {
  en: 'Answer:',
  da: 'Svar:',
  nl: 'Antwoord:',
  pt: 'Resposta:',
  de: 'Antwort:',
  sv: 'Svar:',
  nb: 'Svar:',
  no: 'Svar:',
  fr: 'Réponse :',
  es: 'Respuesta:',
  it: 'Risposta:',
};

export interface PlainPromptOptions {
  /** Prompt language (ISO 639-1); picks the cue. Default English. */
  language?: string;
  /** Overrides the cue entirely (e.g. "Svar (nummer):"). */
  cue?: string;
}

/** The answer cue used for `language` ("Answer:" when the language has none in the table). */
export function answerCue(language?: string): string {
  const base = language?.toLowerCase().split('-')[0];
  return (base && ANSWER_CUES[base]) || ANSWER_CUES.en;
}

/**
 * Blocks separated by a blank line: the system text, then the user text, then the cue with nothing after
 * it (no trailing space: tokenizers put the space before the label, " 3", which scoring reads as "3").
 * An assistant message (a worked example) becomes "<cue> <text>". A user text that already ends with the
 * cue gets no second one.
 */
export function toPlainPrompt(messages: ChatMessage[], options: PlainPromptOptions = {}): string {
  const cue = options.cue ?? answerCue(options.language);
  const blocks: string[] = [];
  for (const message of messages) {
    const text = message.content.trim();
    if (!text) continue;
    blocks.push(message.role === 'assistant' ? `${cue} ${text}` : text);
  }
  const last = blocks[blocks.length - 1];
  const lastIsUser = messages.length > 0 && messages[messages.length - 1].role !== 'assistant';
  if (last !== undefined && lastIsUser && last.endsWith(cue)) return blocks.join('\n\n');
  blocks.push(cue);
  return blocks.join('\n\n');
}
