// Parse time must grow linearly with input size, for every input family that could trigger super-linear
// behaviour. Slow tier (about a minute): CPU-time ratios measured several times, lowest kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { fastest } from './helpers';

/** Distinct three-letter language codes: aaa, aab, … */
function codes(count: number): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: count }, (_, i) => letters[Math.floor(i / 676) % 26] + letters[Math.floor(i / 26) % 26] + letters[i % 26]);
}

/** Input families that could trigger super-linear behaviour, each as a function of a size factor. */
const FAMILIES: Record<string, { parse: (text: string) => unknown; make: (n: number) => string }> = {
  'realistic items': {
    parse: parseSurvey,
    make: (n) =>
      Array.from({ length: 500 * n }, (_, i) => `item Q${i} "T"\n  scale: s\n  en: Question ${i} # comment\n  da[mt]: Spørgsmål ${i}`).join(
        '\n',
      ),
  },
  'one long line of hashes and quotes': { parse: parseSurvey, make: (n) => `  en: ${'# " '.repeat(25_000 * n)}` },
  'one long line of braces': { parse: parseTemplates, make: (n) => `template t\n  en: ${'{a{{'.repeat(25_000 * n)}` },
  'a long | block': { parse: parseTemplates, make: (n) => `template t\n  en: |\n${'    {question} line\n'.repeat(2_500 * n)}` },
  'many paraphrases': {
    parse: parseTemplates,
    make: (n) => `template t\n  en: {question} {topic}\nparaphrases t\n  en:\n${'    - Answer {question}\n'.repeat(1_000 * n)}`,
  },
  'garbage lines (one diagnostic each)': { parse: parseSurvey, make: (n) => '@@ garbage "x\n'.repeat(2_500 * n) },
  'many missing codes on one line': {
    parse: parseSurvey,
    make: (n) => `scale s 1..2\n  en: a | b\n  missing: ${Array.from({ length: 4_000 * n }, (_, i) => `-${i + 1} "x"`).join(' | ')}`,
  },
  'many declared languages × items': {
    parse: parseSurvey,
    make: (n) =>
      `languages ${codes(100 * n).join(' ')}\n${'item Q\n  en: a question worded in about the usual length for a survey item\n'.repeat(100 * n)}`,
  },
  'a distinct language per template': {
    parse: parseTemplates,
    make: (n) =>
      codes(150 * n)
        .map((c, i) => `template t${i}\n  ${c}: {question}`)
        .join('\n'),
  },
  'many declared slots, one per language': {
    parse: parseTemplates,
    make: (n) =>
      `slots ${codes(64)
        .map((c) => `s${c}`)
        .join(' ')}\ntemplate t\n${codes(64)
        .map((c) => `  ${c}: {s${c}}`)
        .join('\n')}\nparaphrases t\n  en:\n${'    - none\n'.repeat(200 * n)}`,
  },
  'a scale with many label lines': {
    parse: parseSurvey,
    make: (n) =>
      `scale s 1..4\n${codes(300 * n)
        .map((c) => `  ${c}: a | b`)
        .join('\n')}`,
  },
  'duplicate ids': { parse: parseSurvey, make: (n) => 'item Q1\n  en: x\n'.repeat(1_500 * n) },
};

/**
 * Time of one parse of the 2× and 8× inputs relative to parsing the 1× input 2 and 8 times in a row: the
 * same amount of text, allocation and live results, so garbage collection weighs alike. About 1 when parsing is linear,
 * 2 and 8 when it is quadratic.
 */
function growth(
  parse: (text: string) => unknown,
  make: (n: number) => string,
): { at2: number; at8: number; msPerKb: number; detail: string } {
  const small = make(1);
  const inputs = { 2: make(2), 8: make(8) };
  fastest(() => parse(small), 2); // warm up the JIT
  // The results are kept, as one big parse keeps its whole result alive: the GC then copies alike.
  const repeated = (times: number, runs: number) =>
    fastest(() => {
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
