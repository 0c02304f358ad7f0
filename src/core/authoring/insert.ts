// Where and what to insert into the source file when the user accepts a preview. Everything is re-checked
// against the file as it is now (it may have changed since the model was asked): slots against the
// original, duplicates against existing entries, label counts against the scale.
import type { Position, SurveyFile, TemplateFile } from '../language/ast';
import { checkParaphrases, formatProblem, labelProblem, slotProblem, translationProblem, type CandidateVerdict } from './checks';
import { formatListEntry, formatTaggedText } from './format';
import { formatLabels, type PreviewContent, type PreviewMeta } from './preview';

export interface TextInsertion {
  position: Position;
  text: string;
}

export type InsertionPlan =
  | { ok: true; insertions: TextInsertion[]; inserted: string[]; skipped: CandidateVerdict[]; summary: string }
  | { ok: false; error: string; skipped: CandidateVerdict[] };

function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Leading blanks of a line. */
function indentOf(text: string, line: number): string {
  return /^[ \t]*/.exec(lines(text)[line] ?? '')?.[0] ?? '';
}

/**
 * An insertion of whole lines after line `after`: at the start of the next line, or at the end of the
 * document (with a line break first) when `after` is the last line.
 */
export function insertAfterLine(text: string, after: number, block: string): TextInsertion {
  const all = lines(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = eol === '\n' ? block : block.replace(/\n/g, eol);
  if (after + 1 < all.length) return { position: { line: after + 1, character: 0 }, text: body };
  const last = all.length - 1;
  const trimmed = body.endsWith(eol) ? body.slice(0, -eol.length) : body;
  return { position: { line: last, character: all[last].length }, text: (all[last].length > 0 ? eol : '') + trimmed };
}

function fail(error: string, skipped: CandidateVerdict[] = []): InsertionPlan {
  return { ok: false, error, skipped };
}

/** Plans the insertion of a preview's content into the file it came from. */
export function planInsertion(
  targetText: string,
  file: SurveyFile | TemplateFile,
  meta: PreviewMeta,
  content: PreviewContent,
): InsertionPlan {
  const t = meta.target;
  if (t.kind === 'item') {
    if (file.kind !== 'survey' || content.kind !== 'item') return fail('The target is not a .wvs item file.');
    return planItem(targetText, file, meta, content);
  }
  if (file.kind !== 'templates') return fail('The target is not a .wvt template file.');
  if (t.kind === 'template' && content.kind === 'template') return planTemplate(targetText, file, meta, content);
  if (t.kind === 'paraphrases' && content.kind === 'paraphrases') return planParaphrases(targetText, file, meta, content);
  return fail('The preview does not match its target.');
}

function planParaphrases(
  targetText: string,
  file: TemplateFile,
  meta: PreviewMeta,
  content: Extract<PreviewContent, { kind: 'paraphrases' }>,
): InsertionPlan {
  const t = meta.target as Extract<PreviewMeta['target'], { kind: 'paraphrases' }>;
  const template = file.templates.find((x) => x.name === t.template);
  if (!template) return fail(`Template ${t.template} is no longer in the file.`);
  const original = template.user[t.language] ?? template.user[t.source];
  if (!original) return fail(`Template ${t.template} has no text in '${t.source}' any more.`);
  const set = file.paraphraseSets.find((s) => s.name === t.set);
  const existing = set?.variants[t.language] ?? [];
  const verdicts = checkParaphrases(
    original.value,
    content.texts,
    existing.map((v) => v.value),
  );
  const kept = verdicts.filter((v) => v.ok).map((v) => v.text);
  const skipped = verdicts.filter((v) => !v.ok);
  if (kept.length === 0)
    return fail(
      content.texts.length === 0 ? 'The preview lists no paraphrases to insert.' : 'No paraphrase in the preview passes the checks.',
      skipped,
    );

  let insertion: TextInsertion;
  if (set && existing.length > 0) {
    const last = existing[existing.length - 1];
    const entryLine = lines(targetText)[last.range.start.line] ?? '';
    const indent = /^[ \t]*(?=-)/.exec(entryLine)?.[0] ?? '    ';
    insertion = insertAfterLine(targetText, last.range.end.line, kept.map((text) => formatListEntry(text, indent)).join(''));
  } else if (set) {
    const tag = `  ${t.language}${content.machineTranslated ? '[mt]' : ''}:\n`;
    insertion = insertAfterLine(targetText, set.range.end.line, tag + kept.map((text) => formatListEntry(text)).join(''));
  } else {
    const header = t.set === template.name ? `paraphrases ${t.set}` : `paraphrases ${t.set} of ${template.name}`;
    const block = `\n${header}\n  ${t.language}${content.machineTranslated ? '[mt]' : ''}:\n${kept.map((text) => formatListEntry(text)).join('')}`;
    // After the last set of this template, else right after the template.
    const sibling = [...file.paraphraseSets].reverse().find((s) => s.templateName === template.name);
    insertion = insertAfterLine(targetText, (sibling ?? template).range.end.line, block);
  }
  return {
    ok: true,
    insertions: [insertion],
    inserted: kept,
    skipped,
    summary: `${kept.length} paraphrase${kept.length === 1 ? '' : 's'} into paraphrases ${t.set} ('${t.language}')`,
  };
}

function planTemplate(
  targetText: string,
  file: TemplateFile,
  meta: PreviewMeta,
  content: Extract<PreviewContent, { kind: 'template' }>,
): InsertionPlan {
  const t = meta.target as Extract<PreviewMeta['target'], { kind: 'template' }>;
  const template = file.templates.find((x) => x.name === t.template);
  if (!template) return fail(`Template ${t.template} is no longer in the file.`);
  if (template.user[t.language]) return fail(`Template ${t.template} already has a text in '${t.language}'.`);
  if (!content.user) return fail(`The preview has no '${t.language}' text for template ${t.template}.`);
  const source = template.user[t.source] ?? Object.values(template.user)[0];
  const skipped: CandidateVerdict[] = [];
  const userProblem =
    (source
      ? (slotProblem(source.value, content.user.text) ?? translationProblem(source.value, content.user.text, t.language))
      : undefined) ?? formatProblem(content.user.text);
  if (userProblem) return fail(`The '${t.language}' text: ${userProblem}.`, [{ text: content.user.text, ok: false, reason: userProblem }]);
  const indent = indentOf(targetText, (source ?? template).range.start.line) || '  ';
  let block = '';
  const inserted: string[] = [];
  if (content.system && !template.system[t.language]) {
    const systemSource = template.system[t.source] ?? Object.values(template.system)[0];
    const problem =
      (systemSource
        ? (slotProblem(systemSource.value, content.system.text) ?? translationProblem(systemSource.value, content.system.text, t.language))
        : undefined) ?? formatProblem(content.system.text);
    if (problem) return fail(`The '${t.language}' system part: ${problem}.`, [{ text: content.system.text, ok: false, reason: problem }]);
    block += formatTaggedText(`system ${t.language}`, content.system.text, indent, content.system.machineTranslated);
    inserted.push(content.system.text);
  }
  block += formatTaggedText(t.language, content.user.text, indent, content.user.machineTranslated);
  inserted.push(content.user.text);
  return {
    ok: true,
    insertions: [insertAfterLine(targetText, template.range.end.line, block)],
    inserted,
    skipped,
    summary: `template ${t.template} in '${t.language}'${content.system ? ' (system and user parts)' : ''}`,
  };
}

function planItem(
  targetText: string,
  file: SurveyFile,
  meta: PreviewMeta,
  content: Extract<PreviewContent, { kind: 'item' }>,
): InsertionPlan {
  const t = meta.target as Extract<PreviewMeta['target'], { kind: 'item' }>;
  const item = file.items.find((i) => i.id === t.itemId);
  if (!item) return fail(`Item ${t.itemId} is no longer in the file.`);
  const insertions: TextInsertion[] = [];
  const inserted: string[] = [];
  const parts: string[] = [];
  const source = item.texts[t.source] ?? Object.values(item.texts)[0];
  const indent = indentOf(targetText, (source ?? item).range.start.line) || '  ';
  let block = '';
  if (content.topic && !item.topics[t.language]) {
    const topicSource = item.topics[t.source] ?? Object.values(item.topics)[0];
    const problem =
      formatProblem(content.topic.text) ?? (topicSource ? labelProblem(topicSource.value, content.topic.text, t.language) : undefined);
    if (problem) return fail(`The '${t.language}' topic: ${problem}.`, [{ text: content.topic.text, ok: false, reason: problem }]);
    block += `${indent}topic ${t.language}${content.topic.machineTranslated ? '[mt]' : ''}: ${content.topic.text.replace(/\s*\n\s*/g, ' ')}\n`;
    inserted.push(content.topic.text);
    parts.push('topic');
  }
  if (content.text && !item.texts[t.language]) {
    // Checked again here: the preview may have been edited, and a candidate "3" must not become the wording.
    const problem =
      (source
        ? (slotProblem(source.value, content.text.text) ?? translationProblem(source.value, content.text.text, t.language))
        : undefined) ?? formatProblem(content.text.text);
    if (problem) return fail(`The '${t.language}' wording: ${problem}.`, [{ text: content.text.text, ok: false, reason: problem }]);
    block += formatTaggedText(t.language, content.text.text, indent, content.text.machineTranslated);
    inserted.push(content.text.text);
    parts.push('wording');
  }
  if (block) insertions.push(insertAfterLine(targetText, item.range.end.line, block));

  if (t.scale && content.labels) {
    const scale = file.scales.find((s) => s.name === t.scale);
    if (!scale) return fail(`Scale ${t.scale} is no longer in the file.`);
    if (!scale.labelLines[t.language]) {
      const expected = (scale.labelLines[t.source] ?? Object.values(scale.labelLines)[0])?.labels.length;
      const labels = content.labels.labels.map((l) => l.trim());
      const bad = labels.find((l) => l === '' || l.includes('|') || formatProblem(l) !== undefined);
      if (expected !== undefined && labels.length !== expected)
        return fail(`Scale ${scale.name} needs ${expected} labels, the preview has ${labels.length}.`);
      if (bad !== undefined) return fail(`Scale ${scale.name}: the label "${bad}" is empty or contains '|' or '#'.`);
      const sourceLabels = (scale.labelLines[t.source] ?? Object.values(scale.labelLines)[0])?.labels ?? [];
      const implausible = labels
        .map((label, index) => labelProblem(sourceLabels[index] ?? '', label, t.language))
        .find((p) => p !== undefined);
      if (implausible) return fail(`Scale ${scale.name}: ${implausible}.`);
      const labelIndent = indentOf(targetText, (Object.values(scale.labelLines)[0] ?? scale).range.start.line) || '  ';
      const line = `${labelIndent}${t.language}${content.labels.machineTranslated ? '[mt]' : ''}: ${formatLabels(scale, labels)}\n`;
      insertions.push(insertAfterLine(targetText, scale.range.end.line, line));
      inserted.push(...labels);
      parts.push(`labels of scale ${scale.name}`);
    }
  }
  if (insertions.length === 0) return fail(`Nothing to insert: item ${t.itemId} already has everything in '${t.language}'.`);
  return { ok: true, insertions, inserted, skipped: [], summary: `item ${t.itemId} in '${t.language}' (${parts.join(', ')})` };
}

/** Applies insertions to a text (for tests and the CLI; the editor uses a WorkspaceEdit with the same positions). */
export function applyInsertions(text: string, insertions: TextInsertion[]): string {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') {
      starts.push(i + 2);
      i++;
    } else if (text[i] === '\n' || text[i] === '\r') starts.push(i + 1);
  }
  const offset = (p: Position): number => Math.min(text.length, (starts[p.line] ?? text.length) + p.character);
  // Later positions first, so earlier offsets stay valid.
  const sorted = [...insertions].sort((a, b) => offset(b.position) - offset(a.position));
  let out = text;
  for (const insertion of sorted) {
    const at = offset(insertion.position);
    out = out.slice(0, at) + insertion.text + out.slice(at);
  }
  return out;
}
