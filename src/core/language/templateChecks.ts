// Checks of a parsed `.wvt` file: duplicate names, unknown slots, slots lost between languages and
// between a template and its paraphrases, missing translations, English scaffolding in other languages.
import { msg, type Message } from '../message';
import type { ParaphraseSet, Template, TextEntry } from './ast';
import { isPlaceholder } from './placeholders';
import { findScaffolding } from './scaffolding';
import { MAX_LANGUAGES, rangeIn, type Segment } from './scan';
import { findSlots, isKnownSlot, slotNames } from './slots';
import type { TemplateParseState } from './templates';

export function checkTemplates(state: TemplateParseState): void {
  const { file, diagnostics } = state;
  const templates = new Map<string, Template>();
  for (const template of file.templates) {
    if (templates.has(template.name))
      diagnostics.error('duplicate-id', msg("Template '{0}' is declared twice", template.name), template.nameRange, { id: template.name });
    else templates.set(template.name, template);
  }
  const sets = new Set<string>();
  for (const set of file.paraphraseSets) {
    if (sets.has(set.name))
      diagnostics.error('duplicate-id', msg("Paraphrase set '{0}' is declared twice", set.name), set.nameRange, { id: set.name });
    sets.add(set.name);
  }

  // Declared languages: the header, else every language some template has a user part in.
  const used = new Set<string>();
  if (state.languages.length === 0)
    for (const template of file.templates) for (const language in template.user) if (used.size < MAX_LANGUAGES) used.add(language);
  const declared = state.languages.length > 0 ? state.languages.slice(0, MAX_LANGUAGES).map((l) => l.value) : [...used];

  for (const template of file.templates) {
    const texts = [...Object.values(template.system), ...Object.values(template.user)];
    for (const text of texts) checkText(state, text, msg('template {0}', template.name));
    if (Object.keys(template.user).length === 0) {
      diagnostics.error(
        'missing-text',
        msg("Template {0} has no user part: add a line such as 'en: …'", template.name),
        template.nameRange,
        { template: template.name },
      );
    } else {
      for (const language of declared) {
        if (!Object.prototype.hasOwnProperty.call(template.user, language)) {
          diagnostics.warning(
            'missing-translation',
            msg("Template {0} has no text in '{1}'", template.name, language),
            template.nameRange,
            { language, template: template.name },
          );
        }
      }
    }
    slotsAcrossLanguages(state, template.user, msg('template {0}', template.name));
    slotsAcrossLanguages(state, template.system, msg('the system part of template {0}', template.name));
  }

  for (const set of file.paraphraseSets) {
    const template = templates.get(set.templateName);
    if (!template) {
      const target = state.setTargets.get(set);
      diagnostics.error('unknown-template', msg("Unknown template '{0}'", set.templateName), target ? target.range : set.nameRange, {
        name: set.templateName,
      });
    }
    for (const variants of Object.values(set.variants)) {
      variants.forEach((variant, index) => {
        checkText(state, variant, msg('paraphrase {0} of {1}', index + 1, set.name));
        if (template) slotsAgainstTemplate(state, set, template, variant, index);
      });
    }
  }
}

function segmentsOf(state: TemplateParseState, text: TextEntry): Segment[] {
  return (
    state.segments.get(text) ?? [
      { offset: 0, line: text.range.start.line, character: text.range.start.character, length: text.value.length },
    ]
  );
}

/** More copies of one slot than any real prompt needs. */
const MAX_SLOT_REPEATS = 8;

/** Unknown slots, absurdly repeated slots and English scaffolding inside one text. */
function checkText(state: TemplateParseState, text: TextEntry, where: Message): void {
  const segments = segmentsOf(state, text);
  // A stub such as the quick fix's "TODO translate" is not a prompt; the run plan skips it (issue 19).
  if (isPlaceholder(text.value)) {
    state.diagnostics.warning(
      'placeholder-text',
      msg("Placeholder in the '{0}' text of {1}: it is not scored until it is replaced by real text", text.language, where),
      text.range,
      { language: text.language },
    );
  }
  const repeats = new Map<string, number>();
  for (const slot of findSlots(text.value)) {
    // Each copy is filled in: 20,000 × {question} makes every prompt 20,000 questions long (issue 18).
    const seen = (repeats.get(slot.name) ?? 0) + 1;
    repeats.set(slot.name, seen);
    if (seen === MAX_SLOT_REPEATS + 1) {
      const total = findSlots(text.value).filter((s) => s.name === slot.name).length;
      state.diagnostics.warning(
        'repeated-slot',
        msg(
          "Slot {0} appears {1} times in the '{2}' text of {3}; every copy is filled in, and a prompt over the prompt limit (64K characters by default) is skipped",
          `{${slot.name}}`,
          total,
          text.language,
          where,
        ),
        rangeIn(segments, slot.offset, slot.length),
        { slot: slot.name, count: total },
      );
    }
    if (!isKnownSlot(slot.name) && !extraSlots(state).has(slot.name)) {
      state.diagnostics.error(
        'unknown-slot',
        msg(
          "Unknown slot {0} in {1}: use {question}, {options}, {country}, {topic} or {language} (write {{ for a literal brace, or declare it in a 'slots' line)",
          `{${slot.name}}`,
          where,
        ),
        rangeIn(segments, slot.offset, slot.length),
        { slot: slot.name },
      );
    }
  }
  for (const hit of findScaffolding(text.value, text.language)) {
    state.diagnostics.warning(
      'english-scaffolding',
      msg("English word '{0}' in the '{1}' text of {2}: translate the instruction", hit.word, text.language, where),
      rangeIn(segments, hit.offset, hit.length),
      { word: hit.word, language: text.language },
    );
  }
}

/** A slot used in one language of a part but absent from another language of the same part. */
function slotsAcrossLanguages(state: TemplateParseState, parts: Record<string, TextEntry>, where: Message): void {
  const entries = Object.values(parts);
  if (entries.length < 2) return;
  const perLanguage = entries.map((entry) => ({ entry, slots: slotNames(entry.value, extraSlots(state)) }));
  const union = new Map<string, string>();
  for (const { entry, slots } of perLanguage) for (const slot of slots) if (!union.has(slot)) union.set(slot, entry.language);
  for (const { entry, slots } of perLanguage) {
    let reported = 0;
    for (const [slot, language] of union) {
      if (!slots.has(slot) && reported++ < MAX_SLOT_REPORTS) {
        state.diagnostics.warning(
          'slot-lost',
          msg("{0} is used in '{1}' but missing from the '{2}' text of {3}", `{${slot}}`, language, entry.language, where),
          entry.range,
          {
            slot,
            language: entry.language,
          },
        );
      }
    }
  }
}

/** Every slot of the template's user part (same language, else any language) must survive in a paraphrase. */
function slotsAgainstTemplate(state: TemplateParseState, set: ParaphraseSet, template: Template, variant: TextEntry, index: number): void {
  const expected = expectedSlots(state, template, variant.language);
  const present = slotNames(variant.value, extraSlots(state));
  let reported = 0;
  for (const slot of expected) {
    if (!present.has(slot) && reported++ < MAX_SLOT_REPORTS) {
      state.diagnostics.warning(
        'slot-lost',
        msg(
          "Paraphrase {0} of {1} ('{2}') drops {3}, which template {4} uses",
          index + 1,
          set.name,
          variant.language,
          `{${slot}}`,
          template.name,
        ),
        variant.range,
        {
          slot,
          language: variant.language,
          index,
        },
      );
    }
  }
}

const extraSlotCache = new WeakMap<TemplateParseState, ReadonlySet<string>>();

/** The names declared by `slots` lines, built once per parse (this runs for every text). */
function extraSlots(state: TemplateParseState): ReadonlySet<string> {
  let names = extraSlotCache.get(state);
  if (!names) {
    names = new Set(state.slots.map((s) => s.value));
    extraSlotCache.set(state, names);
  }
  return names;
}

/** At most this many `slot-lost` warnings per text: enough to act on, and linear on any input. */
const MAX_SLOT_REPORTS = 10;

const expectedCache = new WeakMap<Template, Map<string, ReadonlySet<string>>>();

/**
 * The slots a paraphrase in `language` must keep: those of the template's user part in that language, else
 * of all its languages. Cached per template and language: a set may hold thousands of variants.
 */
function expectedSlots(state: TemplateParseState, template: Template, language: string): ReadonlySet<string> {
  let perLanguage = expectedCache.get(template);
  if (!perLanguage) {
    perLanguage = new Map();
    expectedCache.set(template, perLanguage);
  }
  let expected = perLanguage.get(language);
  if (!expected) {
    const extra = extraSlots(state);
    const reference = template.user[language];
    expected = reference
      ? slotNames(reference.value, extra)
      : new Set(Object.values(template.user).flatMap((t) => [...slotNames(t.value, extra)]));
    perLanguage.set(language, expected);
  }
  return expected;
}
