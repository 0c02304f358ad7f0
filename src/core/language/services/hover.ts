// Hover text for an item: its scale, the option labels, and which declared languages are present or missing.
import type { Item, Position, Scale, SurveyFile } from '../ast';
import { containsPosition } from './ranges';
import { english, type Translate } from '../../message';

/** Markdown cells must not break the table: escape pipes and flatten newlines. */
export function escapeCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

/** Escapes characters that Markdown would interpret (item text is workspace content). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

export function declaredLanguages(survey: SurveyFile): string[] {
  return survey.header.languages.map((l) => l.value);
}

/** Languages with wording for the item, in declared order first, then any extra ones. */
export function itemLanguages(item: Item, survey: SurveyFile): { present: string[]; missing: string[] } {
  const declared = declaredLanguages(survey);
  const has = new Set(Object.keys(item.texts));
  const present = [...declared.filter((l) => has.has(l)), ...[...has].filter((l) => !declared.includes(l))];
  return { present, missing: declared.filter((l) => !has.has(l)) };
}

function scaleLine(scale: Scale, t: Translate): string {
  // The scale's kind and `reversed` are the file's terms: they stay as written.
  const shape = [`${scale.min}..${scale.max}`, scale.kind, scale.reversed ? 'reversed' : ''].filter(Boolean).join(', ');
  return t('Scale `{0}` ({1})', scale.name, shape);
}

function optionTable(scale: Scale, languages: string[], t: Translate): string[] {
  const langs = languages.filter((l) => scale.options.some((o) => o.labels[l]) || scale.missing.some((m) => m.labels[l]));
  if (langs.length === 0) langs.push(...new Set(scale.options.flatMap((o) => Object.keys(o.labels))));
  const header = `| ${t('code')} |${scale.reversed ? ` ${t('score')} |` : ''} ${langs.join(' | ')} |`;
  const rule = `|---:|${scale.reversed ? '---:|' : ''}${langs.map(() => '---').join('|')}|`;
  // Numeric scales are labelled at their ends only: show those rows, not ten empty ones.
  const options = scale.kind === 'numeric' ? scale.options.filter((o) => Object.keys(o.labels).length > 0) : scale.options;
  const rows = options.map(
    (o) => `| ${o.code} |${scale.reversed ? ` ${o.score} |` : ''} ${langs.map((l) => escapeCell(o.labels[l] ?? '')).join(' | ')} |`,
  );
  const missing = scale.missing.map(
    (m) => `| ${m.code} |${scale.reversed ? ' — |' : ''} ${langs.map((l) => escapeCell(m.labels[l] ?? m.labels.en ?? '')).join(' | ')} |`,
  );
  if (scale.kind === 'numeric' && rows.length === 2)
    rows.splice(1, 0, `| … |${scale.reversed ? ' … |' : ''} ${langs.map(() => '').join(' | ')} |`);
  return [header, rule, ...rows, ...missing];
}

/** Markdown for the hover on an item; `results` (the results section) goes before the scale table. */
export function itemHoverMarkdown(item: Item, survey: SurveyFile, results?: string, t: Translate = english): string {
  const lines: string[] = [];
  const title = item.title ? ` — ${escapeMarkdown(item.title.value)}` : '';
  lines.push(`**${escapeMarkdown(item.id)}**${title}`, '');
  const facts: string[] = [];
  if (item.category) facts.push(t('Category: {0}', escapeMarkdown(item.category.value)));
  if (item.dataKey) facts.push(t('Data key: {0}', `\`${item.dataKey.value.replace(/`/g, '')}\``));
  if (facts.length) lines.push(facts.join(' · '), '');
  const { present, missing } = itemLanguages(item, survey);
  const languageLine = t('Languages: {0}', present.length ? present.join(', ') : t('none'));
  lines.push(missing.length ? `${languageLine} · ${t('missing: {0}', `**${missing.join(', ')}**`)}` : languageLine);
  const mt = present.filter((l) => item.texts[l]?.machineTranslated);
  if (mt.length) lines.push('', t('Machine translated, not yet reviewed: {0}', mt.join(', ')));
  if (results) lines.push('', '---', '', results, '', '---');
  lines.push('');
  if (item.scale) {
    lines.push(
      scaleLine(item.scale, t),
      '',
      ...optionTable(item.scale, declaredLanguages(survey).length ? declaredLanguages(survey) : present, t),
    );
  } else if (item.scaleName) {
    lines.push(t('Scale `{0}` is not declared in this file.', item.scaleName.value.replace(/`/g, '')));
  } else {
    lines.push(t('No scale.'));
  }
  return lines.join('\n');
}

/** The item whose header line (or scale reference) the position is on — where a hover makes sense. */
export function itemAtHoverPosition(survey: SurveyFile, position: Position): Item | undefined {
  return survey.items.find(
    (item) =>
      position.line === item.idRange.start.line || (item.scaleName !== undefined && containsPosition(item.scaleName.range, position)),
  );
}

/** The item whose block contains the position (for commands run from the cursor). */
export function itemAt(survey: SurveyFile, position: Position): Item | undefined {
  return survey.items.find((item) => containsPosition(item.range, position) || position.line === item.range.start.line);
}
