// The code-lens model: ranges and kinds only. Titles and commands are filled lazily by the editor, so this
// stays cheap (a linear pass over the AST) even for files with thousands of items.
import type { Range, SurveyFile, TemplateFile } from '../ast';

export type LensKind = 'score' | 'paraphrases' | 'more' | 'tryOnItem' | (string & {});

export interface LensSpec {
  kind: LensKind;
  range: Range;
  itemId?: string;
  language?: string;
  /** Template or paraphrase-set name, for lenses on .wvt blocks. */
  target?: string;
  targetKind?: 'template' | 'paraphrases';
}

/** Extension point: extra lens contributors (e.g. "Generate paraphrases") add specs for a parsed file. */
export type LensContributor = (file: SurveyFile | TemplateFile) => LensSpec[];

function headerRange(range: Range): Range {
  return { start: { line: range.start.line, character: 0 }, end: { line: range.start.line, character: 0 } };
}

export function surveyLensSpecs(file: SurveyFile): LensSpec[] {
  const out: LensSpec[] = [];
  for (const item of file.items) {
    const range = headerRange(item.range);
    // Three lenses per item (issue 19: one per language made the row overflow): Score (every language),
    // Paraphrases, and "⋯" (one language, the option-order check, the panel).
    out.push({ kind: 'score', range, itemId: item.id });
    out.push({ kind: 'paraphrases', range, itemId: item.id });
    out.push({ kind: 'more', range, itemId: item.id });
  }
  return out;
}

export function templateLensSpecs(file: TemplateFile): LensSpec[] {
  return [
    ...file.templates.map((t): LensSpec => ({ kind: 'tryOnItem', range: headerRange(t.range), target: t.name, targetKind: 'template' })),
    ...file.paraphraseSets.map(
      (s): LensSpec => ({ kind: 'tryOnItem', range: headerRange(s.range), target: s.name, targetKind: 'paraphrases' }),
    ),
  ];
}

export function lensSpecs(file: SurveyFile | TemplateFile, contributors: readonly LensContributor[] = []): LensSpec[] {
  const base = file.kind === 'survey' ? surveyLensSpecs(file) : templateLensSpecs(file);
  return contributors.length ? [...base, ...contributors.flatMap((c) => c(file))] : base;
}
