// Cross-reference checks of a parsed `.wvs` file: scale options and scores, duplicate names, item → scale
// resolution, translations. Runs after the line pass, so declaration order does not matter.
import type { MissingCode, Range, Scale, ScaleOption, SurveyFile } from './ast';
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

export function checkSurvey(file: SurveyFile, extras: Map<Scale, ScaleExtras>, brokenScales: Set<string>, diagnostics: Diagnostics): void {
  const declared = file.header.languages.slice(0, MAX_LANGUAGES).map((l) => l.value);
  const scales = new Map<string, Scale>();
  for (const scale of file.scales) {
    if (scales.has(scale.name)) {
      diagnostics.error('duplicate-id', `Scale '${scale.name}' is declared twice`, scale.nameRange, { id: scale.name });
    } else scales.set(scale.name, scale);
    const extra = extras.get(scale);
    if (extra) buildOptions(scale, extra, diagnostics);
    const languages = Object.keys(scale.labelLines);
    if (languages.length > 0) {
      for (const language of declared) {
        if (!languages.includes(language)) {
          diagnostics.warning('missing-translation', `Scale ${scale.name} has no labels in '${language}'`, scale.nameRange, { language, scale: scale.name });
        }
      }
    }
  }
  // Duplicate item ids are reported while parsing, and most items already have their scale.
  for (const item of file.items) {
    if (item.scale) {
      // resolved while parsing
    } else if (item.scaleName) {
      const scale = scales.get(item.scaleName.value);
      if (scale) item.scale = scale;
      else if (!brokenScales.has(item.scaleName.value)) {
        diagnostics.error('unknown-scale', `Unknown scale '${item.scaleName.value}'`, item.scaleName.range, { name: item.scaleName.value });
      }
    } else {
      diagnostics.warning('missing-scale', `Item ${item.id} has no 'scale:': it cannot be scored on options`, item.idRange, { id: item.id });
    }
    if (isEmpty(item.texts)) {
      diagnostics.error('missing-text', `Item ${item.id} has no wording: add a line such as 'en: …'`, item.idRange, { id: item.id });
      continue;
    }
    for (const language of declared) {
      if (!Object.prototype.hasOwnProperty.call(item.texts, language)) {
        diagnostics.warning('missing-translation', `Item ${item.id} has no wording in '${language}'`, item.idRange, { language, id: item.id });
      }
    }
  }
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
          ? `'low .. high' end labels or ${count} '|'-separated labels`
          : `${count} '|'-separated labels (one per code ${scale.min}..${scale.max})`;
      diagnostics.error(
        'option-count',
        `Scale ${scale.name} in '${language}' gives ${ends ? 'end labels' : `${labels.length} label${labels.length === 1 ? '' : 's'}`}; expected ${expected} (${summary})`,
        line.range,
        { language, expected: count, actual: labels.length },
      );
    }
  }
  scale.options = options;
  if (scale.reversed && !bothEnds) {
    diagnostics.error(
      'reversed-without-labels',
      `Reversed scale ${scale.name} needs labels at both ends, so readers can tell which side scores high`,
      extra.reversedRange ?? scale.nameRange,
      { scale: scale.name },
    );
  }
}

function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}
