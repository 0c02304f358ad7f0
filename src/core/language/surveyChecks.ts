// Cross-reference checks of a parsed `.wvs` file: scale options and scores, duplicate names, item → scale
// resolution, translations. Runs after the line pass, so declaration order does not matter.
import { msg, type Message } from '../message';
import type { Item, MissingCode, Range, Scale, ScaleOption, SurveyFile, TextEntry } from './ast';
import { closestName, isPlaceholder, placeholderLabels, undeclaredLanguageMessage } from './placeholders';
import { MAX_LANGUAGES, type Diagnostics } from './scan';

/** Facts about a scale the AST does not keep but the checks need. */
export interface ScaleExtras {
  /** Languages whose label line used the `low .. high` end-label form. */
  endForm: Map<string, boolean>;
  /** Missing codes by code, so long `missing:` lines stay linear. */
  missingByCode: Map<number, MissingCode>;
  broken: boolean;
  reversedRange?: Range;
}

/**
 * `orphans`: blocks under an `item` line without an id. They are not items, but their scale reference is
 * still checked so one missing id does not hide the errors below it.
 */
export function checkSurvey(
  file: SurveyFile,
  extras: Map<Scale, ScaleExtras>,
  brokenScales: Set<string>,
  diagnostics: Diagnostics,
  orphans: Item[] = [],
  source?: string,
): void {
  const declared = file.header.languages.slice(0, MAX_LANGUAGES).map((l) => l.value);
  const tags = new TagLocator(source);
  const scales = new Map<string, Scale>();
  for (const scale of file.scales) {
    if (scales.has(scale.name)) {
      diagnostics.error('duplicate-id', msg("Scale '{0}' is declared twice", scale.name), scale.nameRange, { id: scale.name });
    } else scales.set(scale.name, scale);
    const extra = extras.get(scale);
    if (extra) buildOptions(scale, extra, diagnostics);
    const languages = Object.keys(scale.labelLines);
    if (languages.length > 0) {
      for (const language of declared) {
        if (!languages.includes(language)) {
          diagnostics.warning('missing-translation', msg("Scale {0} has no labels in '{1}'", scale.name, language), scale.nameRange, {
            language,
            scale: scale.name,
          });
        }
      }
    }
    for (const line of Object.values(scale.labelLines)) {
      checkTag(line, msg('scale {0}', scale.name), declared, diagnostics, tags);
      if (placeholderLabels(line.labels)) placeholderWarning(line, msg('the labels of scale {0}', scale.name), diagnostics);
    }
  }
  for (const orphan of orphans) {
    if (orphan.scaleName && !scales.has(orphan.scaleName.value) && !brokenScales.has(orphan.scaleName.value)) {
      diagnostics.error('unknown-scale', unknownScaleMessage(orphan.scaleName.value, scales), orphan.scaleName.range, {
        name: orphan.scaleName.value,
      });
    }
    checkTexts(orphan, declared, diagnostics, tags);
  }
  // Duplicate item ids are reported while parsing, and most items already have their scale.
  for (const item of file.items) {
    if (item.scale) {
      // resolved while parsing
    } else if (item.scaleName) {
      const scale = scales.get(item.scaleName.value);
      if (scale) item.scale = scale;
      else if (!brokenScales.has(item.scaleName.value)) {
        diagnostics.error('unknown-scale', unknownScaleMessage(item.scaleName.value, scales), item.scaleName.range, {
          name: item.scaleName.value,
        });
      }
    } else {
      diagnostics.warning('missing-scale', msg("Item {0} has no 'scale:': it cannot be scored on options", item.id), item.idRange, {
        id: item.id,
      });
    }
    checkTexts(item, declared, diagnostics, tags);
    if (isEmpty(item.texts)) {
      diagnostics.error('missing-text', msg("Item {0} has no wording: add a line such as 'en: …'", item.id), item.idRange, { id: item.id });
      continue;
    }
    for (const language of declared) {
      if (!Object.prototype.hasOwnProperty.call(item.texts, language)) {
        diagnostics.warning('missing-translation', msg("Item {0} has no wording in '{1}'", item.id, language), item.idRange, {
          language,
          id: item.id,
        });
      }
    }
  }
}

function unknownScaleMessage(name: string, scales: Map<string, Scale>): Message {
  const suggestion = closestName(name, [...scales.keys()]);
  return suggestion ? msg("Unknown scale '{0}': did you mean '{1}'?", name, suggestion) : msg("Unknown scale '{0}'", name);
}

/** Undeclared language tags and placeholder texts in an item's wording, topics and stance statements. */
function checkTexts(item: Item, declared: string[], diagnostics: Diagnostics, tags: TagLocator): void {
  const where = msg('item {0}', item.id);
  // Whole phrases, not "the wording" + "of" + "item Q1": word order differs between languages.
  const groups: [Record<string, TextEntry> | undefined, Message][] = [
    [item.texts, msg('the wording of item {0}', item.id)],
    [item.topics, msg('the topic of item {0}', item.id)],
    [item.pro, msg('the pro statement of item {0}', item.id)],
    [item.con, msg('the con statement of item {0}', item.id)],
  ];
  for (const [group, what] of groups) {
    if (!group) continue;
    for (const entry of Object.values(group)) {
      checkTag(entry, where, declared, diagnostics, tags);
      if (isPlaceholder(entry.value)) placeholderWarning(entry, what, diagnostics);
    }
  }
}

/** A tag the header does not declare is never scored: say so, with the declared code it was likely meant to be. */
function checkTag(entry: TextEntry, where: Message, declared: string[], diagnostics: Diagnostics, tags: TagLocator): void {
  if (declared.length === 0 || declared.includes(entry.language)) return;
  const { message, suggestion } = undeclaredLanguageMessage(entry.language, where, declared);
  diagnostics.warning('undeclared-language', message, tags.find(entry), {
    language: entry.language,
    ...(suggestion ? { suggestion } : {}),
  });
}

/**
 * The range of a text's language tag (`dk` in `dk: …`, `  topic dk[mt]: …`), for the diagnostic and its
 * "did you mean" fix. The AST keeps the value's range only; the tag is on the value's first line, before it.
 * Only undeclared tags are looked up, so the line offsets are built lazily.
 */
class TagLocator {
  private starts: number[] | undefined;
  constructor(private readonly source: string | undefined) {}

  find(entry: TextEntry): Range {
    const at = entry.range.start;
    const fallback = { start: at, end: at };
    if (this.source === undefined) return fallback;
    const starts = (this.starts ??= lineStarts(this.source));
    const lineStart = starts[at.line];
    if (lineStart === undefined) return fallback;
    const before = this.source.slice(lineStart, lineStart + at.character);
    const colon = before.lastIndexOf(':');
    const key = before.slice(0, colon < 0 ? before.length : colon).replace(/\[mt\]\s*$/, '');
    const start = key.lastIndexOf(entry.language);
    if (start < 0 || start + entry.language.length !== key.trimEnd().length) return fallback;
    return { start: { line: at.line, character: start }, end: { line: at.line, character: start + entry.language.length } };
  }
}

function lineStarts(text: string): number[] {
  // A byte-order mark is not part of line 0 (as in LineReader).
  const starts = [text.charCodeAt(0) === 0xfeff ? 1 : 0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function placeholderWarning(entry: TextEntry, what: Message, diagnostics: Diagnostics): void {
  diagnostics.warning(
    'placeholder-text',
    msg("Placeholder in {0} ('{1}'): it is not scored until it is replaced by real text", what, entry.language),
    entry.range,
    { language: entry.language },
  );
}

/** Options in code order with their labels and scores; checks label counts and reversed end labels. */
function buildOptions(scale: Scale, extra: ScaleExtras, diagnostics: Diagnostics): void {
  const count = scale.max - scale.min + 1;
  const options: ScaleOption[] = [];
  for (let code = scale.min; code <= scale.max; code++) {
    options.push({ code, score: scale.reversed ? scale.min + scale.max - code : code, labels: {} });
  }
  // A short summary of label counts for messages, built once (a scale may have many label lines).
  const counts: string[] = [];
  for (const [language, line] of Object.entries(scale.labelLines)) {
    if (counts.length === 8) {
      counts.push('…');
      break;
    }
    counts.push(`${language}: ${line.labels.length}`);
  }
  const summary = counts.join(', ');
  let bothEnds = false;
  for (const [language, line] of Object.entries(scale.labelLines)) {
    const ends = extra.endForm.get(language) === true;
    const labels = line.labels;
    const full = labels.length === count && !(ends && count !== 2);
    if (full) {
      for (let k = 0; k < count; k++) if (labels[k]) options[k].labels[language] = labels[k];
    } else if (ends && labels.length === 2) {
      if (labels[0]) options[0].labels[language] = labels[0];
      if (labels[1]) options[count - 1].labels[language] = labels[1];
    }
    if (labels.length >= 2 && labels[0] && labels[labels.length - 1]) bothEnds = true;
    const valid = scale.kind === 'numeric' ? full || (ends && labels.length === 2) : full && !ends;
    if (!valid) {
      const expected =
        scale.kind === 'numeric'
          ? msg("'low .. high' end labels or {0} '|'-separated labels", count)
          : msg("{0} '|'-separated labels (one per code {1}..{2})", count, scale.min, scale.max);
      const gives = ends ? msg('end labels') : labels.length === 1 ? msg('1 label') : msg('{0} labels', labels.length);
      diagnostics.error(
        'option-count',
        msg("Scale {0} in '{1}' gives {2}; expected {3} ({4})", scale.name, language, gives, expected, summary),
        line.range,
        { language, expected: count, actual: labels.length },
      );
    }
  }
  scale.options = options;
  if (scale.reversed && !bothEnds) {
    diagnostics.error(
      'reversed-without-labels',
      msg('Reversed scale {0} needs labels at both ends, so readers can tell which side scores high', scale.name),
      extra.reversedRange ?? scale.nameRange,
      { scale: scale.name },
    );
  }
}

function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}
