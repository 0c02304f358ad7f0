// Option labels shown to the model. Each label must be a single token in common tokenizers so that the
// first output token's logprobs cover every option: digits 1–9 for short scales, letters for longer ones
// (`10` is two tokens in many vocabularies). Labels go by display position and map back to scale codes.

import type { Scale } from '../language/ast';

export interface OptionLabel {
  /** What the model sees and answers with ("1", "B", …). */
  label: string;
  /** The survey code this label stands for. */
  code: number;
  /** The value used for the mean (the code, or mirrored on reversed scales). */
  score: number;
  /** Optional: the option's wording per language, used to parse free-text answers. */
  texts?: Record<string, string>;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The label scheme for a scale of `count` options: digits up to 9, letters A–Z beyond. */
export function labelScheme(count: number): 'digits' | 'letters' {
  return count <= 9 ? 'digits' : 'letters';
}

/** The label at display position `index` (0-based) for a scale of `count` options. */
export function labelAt(index: number, count: number): string {
  if (count > LETTERS.length) {
    throw new RangeError(`A scale of ${count} options cannot be labelled with single tokens (max ${LETTERS.length})`);
  }
  if (index < 0 || index >= count) throw new RangeError(`Option index ${index} outside 0..${count - 1}`);
  return labelScheme(count) === 'digits' ? String(index + 1) : LETTERS[index];
}

/**
 * Labels for the scale's substantive options shown in `order` (codes in display order).
 * Every code in `order` must be one of the scale's options.
 */
export function labelsFor(scale: Scale, order: number[]): OptionLabel[] {
  const byCode = new Map(scale.options.map((o) => [o.code, o]));
  return order.map((code, index) => {
    const option = byCode.get(code);
    if (!option) throw new RangeError(`Code ${code} is not an option of scale ${scale.name}`);
    const texts: Record<string, string> = {};
    for (const [language, text] of Object.entries(option.labels)) if (text.trim()) texts[language] = text;
    return { label: labelAt(index, order.length), code, score: option.score, texts };
  });
}
