// Fuzzing both parsers with mutated realistic files: inserted, deleted, duplicated and re-indented lines,
// random Unicode, cuts at random offsets, huge lines, mixed line breaks. Every case must parse without an
// exception or an internal failure, keep every node and diagnostic range inside the document, and stay
// within a time budget proportional to its size. 10,000 cases by default; VALUE_LENS_FUZZ_RUNS overrides
// (100,000 for the full run), VALUE_LENS_FUZZ_SEED picks another seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { parseSurvey, parseTemplates, type Diagnostic, type SurveyFile, type TemplateFile } from '../../../src/core/language/index';
import { collectRanges, invalidRange } from './helpers';

const RUNS = Number(process.env.VALUE_LENS_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.VALUE_LENS_FUZZ_SEED ?? 20_261_125);

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
  'slots text count', 'slots', 'slots 1bad', '  en: {text} {count}', 'item Q9 "New item"', 'item', 'item "no id"', 'item Q1', 'scale s 1..4', 'scale x 1..1000', 'scale y -5..5 numeric reversed',
  'scale z 10..1', 'scale', 'survey "T"', 'source', 'languages en da nl pt', 'languages', 'template t', 'template',
  'paraphrases p of direct', 'paraphrases', 'paraphrases q of', '  en: text with {question} and {options}', '  da[mt]: tekst',
  '  pt-BR: texto', '  en: |', '  da: |', '    block line', '      deeper block line', '  - a paraphrase {topic}', '  - |',
  '    - nested dash', '  -', '- top dash', '  missing: -1 "x" | -2 "y"', '  missing da: -1', '  missing: "unterminated | -2',
  '  scale: importance', '  scale: nope', '  category: progress', '  key: F118', '  topic en: family', '  system da: systemtekst',
  '  note: |', '  en: a | b | c', '  en: low .. high', '  en: | |', '  xx yy zz qq: v', '  : empty key', '  en:', '#', '# comment',
  '  # indented comment', '"', '""', '|', '||', '{', '}', '{{', '}}', '{question', '{unknown}', '{{{{{{', ' .. ', '..', '1..',
  '\t\ten:\ttabbed', '\u00a0en: nbsp', '\uFEFFitem Q1', 'en: unindented', 'Answer only the following question',
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
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), indent: fc.constantFrom('', ' ', '  ', '    ', '\t', '        ') }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('edit' as const), at: fc.nat(), position: fc.nat(), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('#', '"', '|', '{', '}', ':', '[mt]', ' .. ', '\r', '\n', '\u2028')) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), pattern: fc.constantFrom(...HUGE_PATTERNS), repeat: fc.integer({ min: 1_000, max: 30_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('eol' as const), eol: fc.constantFrom('\r\n', '\r', '\n') }) },
);

function mutate(seed: string, ops: Op[]): string {
  let lines = seed.split('\n');
  for (const o of ops) {
    const n = Math.max(lines.length, 1);
    switch (o.kind) {
      case 'insert': lines.splice(o.at % (n + 1), 0, o.line); break;
      case 'delete': lines.splice(o.at % n, 1); break;
      case 'duplicate': lines.splice(o.at % n, 0, ...Array<string>(o.count).fill(lines[o.at % n] ?? '')); break;
      case 'swap': { const a = o.at % n; const b = o.other % n; [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? '']; break; }
      case 'indent': { const a = o.at % n; lines[a] = o.indent + (lines[a] ?? '').trimStart(); break; }
      case 'edit': { const a = o.at % n; const line = lines[a] ?? ''; const p = o.position % (line.length + 1); lines[a] = line.slice(0, p) + o.text + line.slice(p); break; }
      case 'huge': { const a = o.at % (n + 1); lines.splice(a, 0, `  en: ${o.pattern.repeat(o.repeat)}`); break; }
      case 'cut': { const text = lines.join('\n'); lines = text.slice(0, Math.floor(text.length * o.fraction)).split('\n'); break; }
      case 'eol': lines = lines.join('\n').split('\n').map((l, i, all) => (i < all.length - 1 && i % 3 === 0 ? l + o.eol.slice(0, -1) : l)); break;
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
    assert.ok(again <= budgetMs(text), `parse of ${text.length} chars took ${again.toFixed(1)} ms (budget ${budgetMs(text).toFixed(0)} ms)`);
  }
}

test(`fuzz: ${RUNS} mutated .wvs/.wvt files parse without exceptions, with valid ranges, within budget`, { timeout: 60 * 60 * 1000 }, () => {
  const started = performance.now();
  let cases = 0;
  let diagnostics = 0;
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.nat(),
      fc.array(op, { minLength: 1, maxLength: 12 }),
      (survey, which, ops) => {
        const seeds = survey ? SURVEY_SEEDS : TEMPLATE_SEEDS;
        const text = mutate(seeds[which % seeds.length], ops);
        const t0 = cpuMs();
        // Parse with the wrong parser too, now and then: files get renamed.
        const file = survey !== (which % 7 === 0) ? parseSurvey(text) : parseTemplates(text);
        const elapsed = cpuMs() - t0;
        checkResult(text, file, elapsed);
        cases++;
        diagnostics += file.diagnostics.length;
      },
    ),
    { numRuns: RUNS, seed: SEED, includeErrorInReport: true },
  );
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`# fuzz: ${cases} cases, ${diagnostics} diagnostics, ${seconds.toFixed(1)} s (seed ${SEED})\n`);
  assert.equal(cases, RUNS);
});

// Collect garbage before each timed run, so one run does not pay for the previous one's garbage.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** CPU milliseconds used by this process so far: unlike wall time, not inflated by other processes. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The fastest of a few runs, in CPU milliseconds. */
function fastest(fn: () => unknown, runs = 5): number {
  let best = Infinity;
  for (let k = 0; k < runs; k++) {
    gc();
    const t0 = cpuMs();
    fn();
    best = Math.min(best, cpuMs() - t0);
  }
  return best;
}

/** Distinct three-letter language codes: aaa, aab, … */
function codes(count: number): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: count }, (_, i) => letters[Math.floor(i / 676) % 26] + letters[Math.floor(i / 26) % 26] + letters[i % 26]);
}

/** Input families that could trigger super-linear behaviour, each as a function of a size factor. */
const FAMILIES: Record<string, { parse: (text: string) => unknown; make: (n: number) => string }> = {
  'realistic items': { parse: parseSurvey, make: (n) => Array.from({ length: 500 * n }, (_, i) => `item Q${i} "T"\n  scale: s\n  en: Question ${i} # comment\n  da[mt]: Spørgsmål ${i}`).join('\n') },
  'one long line of hashes and quotes': { parse: parseSurvey, make: (n) => `  en: ${'# " '.repeat(25_000 * n)}` },
  'one long line of braces': { parse: parseTemplates, make: (n) => `template t\n  en: ${'{a{{'.repeat(25_000 * n)}` },
  'a long | block': { parse: parseTemplates, make: (n) => `template t\n  en: |\n${'    {question} line\n'.repeat(2_500 * n)}` },
  'many paraphrases': { parse: parseTemplates, make: (n) => `template t\n  en: {question} {topic}\nparaphrases t\n  en:\n${'    - Answer {question}\n'.repeat(1_000 * n)}` },
  'garbage lines (one diagnostic each)': { parse: parseSurvey, make: (n) => '@@ garbage "x\n'.repeat(2_500 * n) },
  'many missing codes on one line': { parse: parseSurvey, make: (n) => `scale s 1..2\n  en: a | b\n  missing: ${Array.from({ length: 4_000 * n }, (_, i) => `-${i + 1} "x"`).join(' | ')}` },
  'many declared languages × items': { parse: parseSurvey, make: (n) => `languages ${codes(100 * n).join(' ')}\n${'item Q\n  en: a question worded in about the usual length for a survey item\n'.repeat(100 * n)}` },
  'a distinct language per template': { parse: parseTemplates, make: (n) => codes(150 * n).map((c, i) => `template t${i}\n  ${c}: {question}`).join('\n') },
  'many declared slots, one per language': {
    parse: parseTemplates,
    make: (n) => `slots ${codes(64).map((c) => `s${c}`).join(' ')}\ntemplate t\n${codes(64).map((c) => `  ${c}: {s${c}}`).join('\n')}\nparaphrases t\n  en:\n${'    - none\n'.repeat(200 * n)}`,
  },
  'a scale with many label lines': { parse: parseSurvey, make: (n) => `scale s 1..4\n${codes(300 * n).map((c) => `  ${c}: a | b`).join('\n')}` },
  'duplicate ids': { parse: parseSurvey, make: (n) => 'item Q1\n  en: x\n'.repeat(1_500 * n) },
};

/**
 * Time of one parse of the 2× and 8× inputs relative to parsing the 1× input 2 and 8 times in a row: the
 * same amount of text, allocation and live results, so garbage collection weighs alike. About 1 when parsing is linear,
 * 2 and 8 when it is quadratic.
 */
function growth(parse: (text: string) => unknown, make: (n: number) => string): { at2: number; at8: number; msPerKb: number; detail: string } {
  const small = make(1);
  const inputs = { 2: make(2), 8: make(8) };
  fastest(() => parse(small), 2); // warm up the JIT
  // The results are kept, as one big parse keeps its whole result alive: the GC then copies alike.
  const repeated = (times: number, runs: number) => fastest(() => {
    const kept: unknown[] = [];
    for (let k = 0; k < times; k++) kept.push(parse(small));
    return kept;
  }, runs);
  const base2 = repeated(2, 3);
  const base8 = repeated(8, 2);
  const one2 = fastest(() => parse(inputs[2]), 3);
  const one8 = fastest(() => parse(inputs[8]), 2);
  // 0.1 ms of slack: timer resolution on tiny inputs.
  const detail = `1× ${(small.length / 1024).toFixed(0)} KB: 2 parses ${base2.toFixed(2)} ms, 8 parses ${base8.toFixed(2)} ms; one 2× parse ${one2.toFixed(2)} ms, one 8× parse ${one8.toFixed(2)} ms`;
  return { at2: (one2 + 0.1) / (base2 + 0.1), at8: (one8 + 0.1) / (base8 + 0.1), msPerKb: one8 / (inputs[8].length / 1024), detail };
}

test('parse time grows linearly: 2× and 8× inputs take about 2× and 8× as long', { timeout: 10 * 60 * 1000 }, () => {
  for (const [name, { parse, make }] of Object.entries(FAMILIES)) {
    // A quadratic parser gives 2 and 8 here, every time; noise on a shared machine (other processes, a major
    // GC) only ever adds time, once in a while. So each ratio is the lowest of up to five measurements: noise
    // cannot keep all five high, a quadratic parser cannot bring any of them down.
    let result = growth(parse, make);
    let best = { ...result };
    for (let attempt = 1; attempt < 5 && (best.at2 > 2 || best.at8 > 4 || best.msPerKb >= 5); attempt++) {
      result = growth(parse, make);
      best = {
        at2: Math.min(best.at2, result.at2),
        at8: Math.min(best.at8, result.at8),
        msPerKb: Math.min(best.msPerKb, result.msPerKb),
        detail: `${best.detail} | ${result.detail}`,
      };
    }
    assert.ok(best.at2 <= 2, `${name}: 2× input costs ×${best.at2.toFixed(2)} of two 1× parses (${best.detail})`);
    assert.ok(best.at8 <= 4, `${name}: 8× input costs ×${best.at8.toFixed(2)} of eight 1× parses (${best.detail})`);
    // And an absolute bound (CPU time). Realistic files cost about 0.01 ms per KB; the worst families here
    // raise dozens of diagnostics per line.
    assert.ok(best.msPerKb < 5, `${name}: ${best.msPerKb.toFixed(3)} ms per KB (${best.detail})`);
  }
});

test('the range checks used above reject ranges outside the document', () => {
  const lengths = [5, 0, 3];
  const r = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
  assert.equal(invalidRange(r(0, 0, 2, 3), lengths), undefined);
  assert.match(invalidRange(r(0, 0, 3, 0), lengths) ?? '', /line 3/);
  assert.match(invalidRange(r(1, 1, 1, 1), lengths) ?? '', /character 1/);
  assert.match(invalidRange(r(2, 2, 2, 1), lengths) ?? '', /end before start/);
  assert.match(invalidRange(r(0, -1, 0, 1), lengths) ?? '', /character -1/);
  assert.match(invalidRange(r(0, 0.5, 0, 1), lengths) ?? '', /non-integer/);
});
