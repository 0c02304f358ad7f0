// The fuzz property shared by the fast tier (fuzz.test.ts) and the slow tier (fuzz-full.slow.test.ts).
// Fuzzing both parsers with mutated realistic files: inserted, deleted, duplicated and re-indented lines,
// random Unicode, cuts at random offsets, huge lines, mixed line breaks. Every case must parse without an
// exception or an internal failure, keep every node and diagnostic range inside the document, and stay
// within a time budget proportional to its size. 2,000 cases in the fast tier; the slow tier
// (fuzz-full.slow.test.ts) runs 10,000; VALUE_LENS_FUZZ_RUNS overrides both, VALUE_LENS_FUZZ_SEED picks another seed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseSurvey, parseTemplates, type Diagnostic, type SurveyFile, type TemplateFile } from '../../../src/core/language/index';
import { collectRanges, cpuMs, fastest, invalidRange } from './helpers';

/** The seed of every fuzz run; VALUE_LENS_FUZZ_SEED picks another. */
export const SEED = Number(process.env.VALUE_LENS_FUZZ_SEED ?? 20_261_125);

/** The number of cases: VALUE_LENS_FUZZ_RUNS when set, else the tier's default. */
export function fuzzRuns(tierDefault: number): number {
  return Number(process.env.VALUE_LENS_FUZZ_RUNS ?? tierDefault);
}

const SURVEY_SEED = `survey "Fuzz"
source "seed"
languages en da nl pt
scale importance 1..4
  en: Very important | Rather important | Not very important | Not at all important
  da[mt]: Meget vigtigt | Ret vigtigt | Ikke særlig vigtigt | Slet ikke vigtigt
  missing: -1 "Don't know" | -2 "No answer"
  missing da[mt]: -1 "Ved ikke" | -2 "Intet svar"
scale incomes 1..10 numeric reversed
  en: More equal .. Larger differences
item Q1 "Family"
  category: socio-cultural norms
  scale: importance
  key: A001   # column
  topic en: family
  en: How important is family in your life?
  da[mt]: Hvor vigtig er familien i dit liv?
  note: |
    A note
    # verbatim
item Q106 "Incomes"
  scale: incomes
  en: Incomes should be made more equal.
`;

const TEMPLATE_SEED = `languages en da
template direct
  system en: You are answering a survey.
  en: |
    {question}
    {options}
    Answer with the number only.
  da[mt]: |
    {question}
    {options}
    Svar kun med nummeret.
paraphrases direct
  en:
    - {question} {options} Reply with a number.
    - |
      {question}
      {options}
paraphrases other of direct
  da:
    - {question} {options} Svar.
`;

function readExample(name: string): string | undefined {
  const path = join(process.cwd(), 'examples', name);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

const SURVEY_SEEDS = [SURVEY_SEED, readExample('wvs7-sample.wvs')].filter((s): s is string => s !== undefined);
const TEMPLATE_SEEDS = [TEMPLATE_SEED, readExample('prompts.wvt')].filter((s): s is string => s !== undefined);

/** Realistic lines and fragments of both languages, and characters the scanners treat specially. */
const POOL = [
  'slots text count',
  'slots',
  'slots 1bad',
  '  en: {text} {count}',
  'item Q9 "New item"',
  'item',
  'item "no id"',
  'item Q1',
  'scale s 1..4',
  'scale x 1..1000',
  'scale y -5..5 numeric reversed',
  'scale z 10..1',
  'scale',
  'survey "T"',
  'source',
  'languages en da nl pt',
  'languages',
  'template t',
  'template',
  'paraphrases p of direct',
  'paraphrases',
  'paraphrases q of',
  '  en: text with {question} and {options}',
  '  da[mt]: tekst',
  '  pt-BR: texto',
  '  en: |',
  '  da: |',
  '    block line',
  '      deeper block line',
  '  - a paraphrase {topic}',
  '  - |',
  '    - nested dash',
  '  -',
  '- top dash',
  '  missing: -1 "x" | -2 "y"',
  '  missing da: -1',
  '  missing: "unterminated | -2',
  '  scale: importance',
  '  scale: nope',
  '  category: progress',
  '  key: F118',
  '  topic en: family',
  '  system da: systemtekst',
  '  note: |',
  '  en: a | b | c',
  '  en: low .. high',
  '  en: | |',
  '  xx yy zz qq: v',
  '  : empty key',
  '  en:',
  '#',
  '# comment',
  '  # indented comment',
  '"',
  '""',
  '|',
  '||',
  '{',
  '}',
  '{{',
  '}}',
  '{question',
  '{unknown}',
  '{{{{{{',
  ' .. ',
  '..',
  '1..',
  '\t\ten:\ttabbed',
  '\u00a0en: nbsp',
  '\uFEFFitem Q1',
  'en: unindented',
  'Answer only the following question',
];

const HUGE_PATTERNS = ['{', '#', '"', '|', ' ..', '{a', '- ', '  ', 'x', '\t', '{{', ':', 'é', '😀'];

type Op =
  | { kind: 'insert'; at: number; line: string }
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number; count: number }
  | { kind: 'swap'; at: number; other: number }
  | { kind: 'indent'; at: number; indent: string }
  | { kind: 'edit'; at: number; position: number; text: string }
  | { kind: 'huge'; at: number; pattern: string; repeat: number }
  | { kind: 'cut'; fraction: number }
  | { kind: 'eol'; eol: string };

const anyLine = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...POOL) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...POOL, ' ', ':', '[mt]', '  '), { maxLength: 6 }).map((parts) => parts.join('')) },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), line: anyLine }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('indent' as const),
      at: fc.nat(),
      indent: fc.constantFrom('', ' ', '  ', '    ', '\t', '        '),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      at: fc.nat(),
      position: fc.nat(),
      text: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 6 }),
        fc.constantFrom('#', '"', '|', '{', '}', ':', '[mt]', ' .. ', '\r', '\n', '\u2028'),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      at: fc.nat(),
      pattern: fc.constantFrom(...HUGE_PATTERNS),
      repeat: fc.integer({ min: 1_000, max: 30_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('eol' as const), eol: fc.constantFrom('\r\n', '\r', '\n') }) },
);

function mutate(seed: string, ops: Op[]): string {
  let lines = seed.split('\n');
  for (const o of ops) {
    const n = Math.max(lines.length, 1);
    switch (o.kind) {
      case 'insert':
        lines.splice(o.at % (n + 1), 0, o.line);
        break;
      case 'delete':
        lines.splice(o.at % n, 1);
        break;
      case 'duplicate':
        lines.splice(o.at % n, 0, ...Array<string>(o.count).fill(lines[o.at % n] ?? ''));
        break;
      case 'swap': {
        const a = o.at % n;
        const b = o.other % n;
        [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
        break;
      }
      case 'indent': {
        const a = o.at % n;
        lines[a] = o.indent + (lines[a] ?? '').trimStart();
        break;
      }
      case 'edit': {
        const a = o.at % n;
        const line = lines[a] ?? '';
        const p = o.position % (line.length + 1);
        lines[a] = line.slice(0, p) + o.text + line.slice(p);
        break;
      }
      case 'huge': {
        const a = o.at % (n + 1);
        lines.splice(a, 0, `  en: ${o.pattern.repeat(o.repeat)}`);
        break;
      }
      case 'cut': {
        const text = lines.join('\n');
        lines = text.slice(0, Math.floor(text.length * o.fraction)).split('\n');
        break;
      }
      case 'eol':
        lines = lines
          .join('\n')
          .split('\n')
          .map((l, i, all) => (i < all.length - 1 && i % 3 === 0 ? l + o.eol.slice(0, -1) : l));
        break;
    }
  }
  return lines.join('\n');
}

/** Budget: a generous constant for GC pauses and a noisy shared machine, plus 2 ms per KB. */
function budgetMs(text: string): number {
  return 250 + (text.length / 1024) * 2;
}

function checkResult(text: string, file: SurveyFile | TemplateFile, elapsed: number): void {
  const lineLengths = text.split(/\r\n|\r|\n/).map((l) => l.length);
  const prefix = file.kind === 'survey' ? 'wvs/' : 'wvt/';
  for (const d of file.diagnostics as Diagnostic[]) {
    assert.ok(d.code.startsWith(prefix) && d.code !== `${prefix}internal`, `bad diagnostic code ${d.code}: ${d.message}`);
    assert.ok(['error', 'warning', 'information', 'hint'].includes(d.severity));
    const problem = invalidRange(d.range, lineLengths);
    assert.equal(problem, undefined, `diagnostic ${d.code} range: ${problem}`);
  }
  for (const r of collectRanges(file)) {
    const problem = invalidRange(r, lineLengths);
    assert.equal(problem, undefined, `node range: ${problem}`);
  }
  if (elapsed > budgetMs(text)) {
    // A GC pause or a busy neighbour can stall one parse: time it again before calling it a blow-up.
    const parse = file.kind === 'survey' ? parseSurvey : parseTemplates;
    const again = fastest(() => parse(text), 3);
    assert.ok(
      again <= budgetMs(text),
      `parse of ${text.length} chars took ${again.toFixed(1)} ms (budget ${budgetMs(text).toFixed(0)} ms)`,
    );
  }
}

/** Parses RUNS mutated files with both parsers; throws (via assert) on the first bad case. */
export function runFuzz(RUNS: number): void {
  const started = performance.now();
  let cases = 0;
  let diagnostics = 0;
  fc.assert(
    fc.property(fc.boolean(), fc.nat(), fc.array(op, { minLength: 1, maxLength: 12 }), (survey, which, ops) => {
      const seeds = survey ? SURVEY_SEEDS : TEMPLATE_SEEDS;
      const text = mutate(seeds[which % seeds.length], ops);
      const t0 = cpuMs();
      // Parse with the wrong parser too, now and then: files get renamed.
      const file = survey !== (which % 7 === 0) ? parseSurvey(text) : parseTemplates(text);
      const elapsed = cpuMs() - t0;
      checkResult(text, file, elapsed);
      cases++;
      diagnostics += file.diagnostics.length;
    }),
    { numRuns: RUNS, seed: SEED, includeErrorInReport: true },
  );
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`# fuzz: ${cases} cases, ${diagnostics} diagnostics, ${seconds.toFixed(1)} s (seed ${SEED})\n`);
  assert.equal(cases, RUNS);
}
