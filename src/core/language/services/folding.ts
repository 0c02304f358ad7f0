// Folding ranges: every multi-line block (scale, item, template, paraphrase set) and multi-line text.
import type { Range, SurveyFile, TemplateFile, TextEntry } from '../ast';
import { lastLine } from './ranges';

export interface FoldRange {
  start: number;
  end: number;
}

function push(out: FoldRange[], range: Range): void {
  const end = lastLine(range);
  if (end > range.start.line) out.push({ start: range.start.line, end });
}

function pushTexts(out: FoldRange[], entries: Iterable<TextEntry>): void {
  for (const entry of entries) push(out, entry.range);
}

export function foldingRanges(file: SurveyFile | TemplateFile): FoldRange[] {
  const out: FoldRange[] = [];
  if (file.kind === 'survey') {
    for (const scale of file.scales) push(out, scale.range);
    for (const item of file.items) {
      push(out, item.range);
      pushTexts(out, Object.values(item.texts));
    }
  } else {
    for (const template of file.templates) {
      push(out, template.range);
      pushTexts(out, [...Object.values(template.system), ...Object.values(template.user)]);
    }
    for (const set of file.paraphraseSets) {
      push(out, set.range);
      for (const variants of Object.values(set.variants)) {
        const first = variants[0];
        const last = variants[variants.length - 1];
        // The language header line sits just above the first variant.
        if (first && last) push(out, { start: { line: Math.max(first.range.start.line - 1, 0), character: 0 }, end: last.range.end });
      }
    }
  }
  // VS Code wants them ordered and without duplicates.
  const seen = new Set<string>();
  return out
    .sort((a, b) => a.start - b.start || b.end - a.end)
    .filter((r) => (seen.has(`${r.start}:${r.end}`) ? false : (seen.add(`${r.start}:${r.end}`), true)));
}
