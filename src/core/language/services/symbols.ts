// Outline (document symbols) for both languages: scales, items, templates and paraphrase sets, with children.
import type { ParaphraseSet, Range, Scale, SurveyFile, Template, TemplateFile, TextEntry } from '../ast';
import { containsRange } from './ranges';

export type SymbolKind = 'survey' | 'scale' | 'item' | 'template' | 'paraphrases' | 'text' | 'variant';

export interface SymbolNode {
  name: string;
  detail: string;
  kind: SymbolKind;
  range: Range;
  /** Always inside `range` (VS Code rejects symbols otherwise). */
  selectionRange: Range;
  children: SymbolNode[];
}

function node(name: string, detail: string, kind: SymbolKind, range: Range, selection: Range, children: SymbolNode[] = []): SymbolNode {
  return { name, detail, kind, range, selectionRange: containsRange(range, selection) ? selection : range, children };
}

function preview(text: string, max = 48): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function textChildren(entries: Record<string, TextEntry>, prefix = ''): SymbolNode[] {
  return Object.values(entries).map((entry) =>
    node(`${prefix}${entry.language}${entry.machineTranslated ? ' [mt]' : ''}`, preview(entry.value), 'text', entry.range, entry.range),
  );
}

function scaleSymbol(scale: Scale): SymbolNode {
  const shape = `${scale.min}..${scale.max}${scale.kind === 'numeric' ? ' numeric' : ''}${scale.reversed ? ' reversed' : ''}`;
  const children = Object.values(scale.labelLines).map((line) =>
    node(line.language, preview(line.labels.join(' | ')), 'text', line.range, line.range),
  );
  return node(scale.name, shape, 'scale', scale.range, scale.nameRange, children);
}

export function surveySymbols(file: SurveyFile): SymbolNode[] {
  const out: SymbolNode[] = file.scales.map(scaleSymbol);
  for (const item of file.items) {
    const detail = [item.title?.value, item.category?.value].filter(Boolean).join(' — ');
    out.push(node(item.id, detail, 'item', item.range, item.idRange, textChildren(item.texts)));
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}

function templateSymbol(template: Template): SymbolNode {
  const children = [...textChildren(template.system, 'system '), ...textChildren(template.user)];
  return node(template.name, `${Object.keys(template.user).join(' ')}`, 'template', template.range, template.nameRange, children);
}

function paraphraseSymbol(set: ParaphraseSet): SymbolNode {
  const children = Object.entries(set.variants).map(([language, variants]) => {
    const first = variants[0];
    const last = variants[variants.length - 1];
    const range: Range = first && last ? { start: first.range.start, end: last.range.end } : set.nameRange;
    const variantNodes = variants.map((variant, index) =>
      node(`#${index}`, preview(variant.value), 'variant', variant.range, variant.range),
    );
    return node(language, `${variants.length} paraphrases`, 'text', range, range, variantNodes);
  });
  const detail = set.templateName !== set.name ? `of ${set.templateName}` : '';
  return node(set.name, detail, 'paraphrases', set.range, set.nameRange, children);
}

export function templateSymbols(file: TemplateFile): SymbolNode[] {
  return [...file.templates.map(templateSymbol), ...file.paraphraseSets.map(paraphraseSymbol)].sort(
    (a, b) => a.range.start.line - b.range.start.line,
  );
}

export function documentSymbols(file: SurveyFile | TemplateFile): SymbolNode[] {
  return file.kind === 'survey' ? surveySymbols(file) : templateSymbols(file);
}
