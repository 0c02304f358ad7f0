// Issue 18, hostile and damaged input (no network): the prompt limit and amplified templates, the one
// terminal sanitiser, id diagnostics, UTF-16 and mixed-encoding files, damaged records, the --out lock,
// endpoint URLs with credentials or a query string, and the input-file size limit.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { configureLimits } from '../../../src/core/limits';
import { fillSlots, RenderError } from '../../../src/core/prompt/render';
import { buildPlan } from '../../../src/core/run/plan';
import { lockFile, LockedError } from '../../../src/core/run/lock';
import { parseRunRecords } from '../../../src/core/run/store';
import { visible, hasControlCharacters } from '../../../src/core/text';
import { decodeText } from '../../../src/core/data/decode';
import { readTable } from '../../../src/core/data/csv';
import { checkUrl, normaliseOllamaHost } from '../../../src/cli/config';
import { decodeInputText, readInputBytes, readInputFile, refuseInputAsOutput } from '../../../src/cli/io';
import { UsageError } from '../../../src/cli/errors';

afterEach(() => configureLimits({}, true));

const SURVEY = (question: string) => `languages en\nscale s 1..4\n  en: a | b | c | d\nitem Q1\n  scale: s\n  en: ${question}\n`;
const TEMPLATE = (user: string) => `languages en\ntemplate t\n  en: ${user}\n`;

function plan(survey: string, template: string) {
  return buildPlan({
    survey: parseSurvey(survey),
    templates: parseTemplates(template),
    template: 't',
    paraphrases: 'none',
    models: [{ provider: 'ollama', endpoint: 'http://127.0.0.1:11434', model: 'm' }],
    method: 'logprobs',
    samples: 1,
    temperature: 0,
    seed: 0,
  });
}

test('prompt limit: a prompt of exactly the limit is planned, one character more is a planned skip with the reason', () => {
  assert.equal(fillSlots('{question}', { question: 'x'.repeat(100) }, 100).length, 100);
  assert.throws(() => fillSlots('{question}!', { question: 'x'.repeat(100) }, 100), RenderError);
  configureLimits({ maxPromptChars: 200 });
  const at = plan(SURVEY('q'.repeat(200)), TEMPLATE('{question}'));
  assert.equal(at[0].skip, undefined);
  assert.equal(at[0].messages[0].content.length, 200);
  const over = plan(SURVEY('q'.repeat(201)), TEMPLATE('{question}'));
  assert.equal(over[0].skip?.kind, 'skipped');
  assert.match(over[0].skip?.message ?? '', /longer than 200 characters, the prompt limit \(VALUE_LENS_MAX_PROMPT_CHARS\)/);
});

test('prompt amplification (20,000 × {question}, a 3 KB question): every request skipped, memory bounded', () => {
  const template = TEMPLATE(Array.from({ length: 20_000 }, () => '{question}').join(' '));
  const survey = SURVEY('w'.repeat(3000));
  const before = process.memoryUsage().heapUsed;
  const requests = plan(survey, template);
  const grown = process.memoryUsage().heapUsed - before;
  // Unbounded, the one prompt would be 60 MB (and 4.5 GB at the full size).
  assert.equal(requests.length, 1);
  assert.match(requests[0].skip?.message ?? '', /prompt limit/);
  assert.ok(grown < 32 * 1024 * 1024, `heap grew ${grown} bytes`);
  const diagnostics = parseTemplates(template).diagnostics.filter((d) => d.code === 'wvt/repeated-slot');
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].severity, 'warning');
  assert.match(diagnostics[0].message, /Slot \{question\} appears 20000 times/);
  // Ordinary repetition (a question quoted twice) is not flagged.
  assert.equal(parseTemplates(TEMPLATE('{question} … {question}')).diagnostics.filter((d) => d.code === 'wvt/repeated-slot').length, 0);
});

test('a 101-option scale parses but check warns that its items cannot be scored; 26 options are fine', () => {
  const wide = parseSurvey('languages en\nscale thermo 0..100 numeric\n  en: cold .. warm\n');
  const [d] = wide.diagnostics.filter((x) => x.code === 'wvs/unscorable-scale');
  assert.ok(d, JSON.stringify(wide.diagnostics));
  assert.match(d.message, /101 options: at most 26 can be labelled/);
  const ok = parseSurvey('languages en\nscale letters 1..26 numeric\n  en: low .. high\n');
  assert.equal(ok.diagnostics.filter((x) => x.code === 'wvs/unscorable-scale').length, 0);
});

test('ids with NUL, ESC or an undecodable byte (U+FFFD) are errors; ordinary ids are not', () => {
  for (const id of ['Q\u00001', 'Q\u001b[2J', 'Q\ufffd1']) {
    const file = parseSurvey(`languages en\nitem ${id}\n  en: x\n`);
    const errors = file.diagnostics.filter((d) => d.severity === 'error' && /control character or an undecodable byte/.test(d.message));
    assert.equal(errors.length, 1, `${JSON.stringify(id)}: ${JSON.stringify(file.diagnostics)}`);
    assert.ok(!hasControlCharacters(errors[0].message), 'the message itself is printable');
  }
  assert.equal(parseSurvey('languages en\nitem Q1.a_b-2\n  en: x\n').diagnostics.filter((d) => d.severity === 'error').length, 0);
});

test('UTF-16 files (with a BOM, or without one from NUL bytes) decode to the same text as UTF-8', () => {
  const text = 'languages en da\nitem Q1 "Familie ø"\n  en: x\n  da: y\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(Buffer.from(text, 'utf16le')).swap16();
  assert.equal(decodeInputText(le), text);
  assert.equal(decodeInputText(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), text);
  assert.equal(decodeInputText(Buffer.from(text, 'utf16le')), text);
  assert.equal(decodeInputText(be), text);
  assert.equal(parseSurvey(decodeInputText(le)).diagnostics.filter((d) => d.severity === 'error').length, 0);
  // Invalid UTF-8 is not re-read as another encoding: it shows up as U+FFFD, which the id check reports.
  const bad = Buffer.concat([Buffer.from('languages en\nitem Q'), Buffer.from([0xff]), Buffer.from('1\n  en: x\n')]);
  assert.equal(parseSurvey(decodeInputText(bad)).diagnostics.filter((d) => /undecodable byte/.test(d.message)).length, 1);
});

test('one Windows-1252 row in a UTF-8 CSV: the other rows stay UTF-8, that row is read as 1252 and reported', () => {
  const bytes = Buffer.concat([
    Buffer.from('country,key,value\nDK,Q1,"Kø"\n'),
    Buffer.from([0x50, 0x54, 0x2c, 0x51, 0x31, 0x2c, 0x22, 0x53, 0xe3, 0x6f, 0x22, 0x0a]), // PT,Q1,"São" in 1252
    Buffer.from('NL,Q1,"één"\n'),
  ]);
  const decoded = decodeText(bytes);
  assert.equal(decoded.encoding, 'utf-8');
  assert.deepEqual(decoded.windows1252Lines, [3]);
  assert.equal(decoded.text, 'country,key,value\nDK,Q1,"Kø"\nPT,Q1,"São"\nNL,Q1,"één"\n');
  const table = readTable(bytes);
  assert.deepEqual(
    table.rows.map((r) => r.cells[2]),
    ['Kø', 'São', 'één'],
  );
  assert.deepEqual(
    table.problems.map((p) => p.line),
    [3],
  );
  // A file that is 1252 throughout (no valid UTF-8 multi-byte sequence) is still read as 1252.
  assert.equal(decodeText(Buffer.from([0x4b, 0xf8, 0x0a, 0x53, 0xe3, 0x6f])).text, 'Kø\nSão');
});

test('a record with "optionOrder": null is a counted bad line, not a crash of the analysis', () => {
  const good = { kind: 'result', itemId: 'Q1', language: 'en', model: 'm', probabilities: { 1: 1 }, mean: 1, optionOrder: [1, 2] };
  const text = [good, { ...good, optionOrder: null }, { ...good, optionOrder: 'reversed' }, good].map((r) => JSON.stringify(r)).join('\n');
  const { records, badLines } = parseRunRecords(text);
  assert.equal(records.length, 2);
  assert.deepEqual(badLines, [2, 3]);
});

test('the terminal sanitiser shows ESC, OSC 52, CR, C1 and bidi controls; newlines, tabs and text stay', () => {
  const hostile = 'ok\u001b[2J\u001b]52;c;cHduZWQ=\u0007\r\u001b[32m0 failed\u009b\u202e';
  const out = visible(hostile);
  assert.equal(out, 'ok\\u001b[2J\\u001b]52;c;cHduZWQ=\\u0007\\u000d\\u001b[32m0 failed\\u009b\\u202e');
  // The escapes are JSON escapes: JSON printed through the sanitiser still parses to the same value.
  assert.equal(JSON.parse(visible(JSON.stringify({ name: hostile }))).name, hostile);
  assert.ok(!hasControlCharacters(out));
  assert.equal(visible('line 1\n\tline 2 — ø 日本'), 'line 1\n\tline 2 — ø 日本');
});

test("--out lock: a second taker is refused with the holder named; a dead holder's lock is taken over", async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'vl-lock-'));
  try {
    const target = join(dir, 'results.jsonl');
    const first = await lockFile(target);
    await assert.rejects(
      lockFile(target),
      (error: unknown) =>
        error instanceof LockedError &&
        new RegExp(`process ${process.pid} on`).test(error.message) &&
        /delete .*results\.jsonl\.lock/.test(error.message),
    );
    await first.release();
    const again = await lockFile(target);
    await again.release();
    // A holder killed with -9 leaves its lock; its pid no longer exists, so the lock is stale.
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    await fs.writeFile(`${target}.lock`, JSON.stringify({ pid, host: (await import('node:os')).hostname(), since: 'then' }));
    const taken = await lockFile(target);
    assert.equal(JSON.parse(await fs.readFile(`${target}.lock`, 'utf8')).pid, process.pid);
    await taken.release();
    await assert.rejects(fs.stat(`${target}.lock`));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('endpoint URLs: credentials are refused without echoing the password; a query string is refused', () => {
  const password = 's3cr3t-pass-word';
  for (const host of [`user:${password}@127.0.0.1:11434`, `http://user:${password}@localhost`]) {
    assert.throws(
      () => normaliseOllamaHost(host),
      (e: unknown) => e instanceof UsageError && /must not contain credentials/.test(e.message) && !e.message.includes(password),
    );
  }
  // Malformed, with a password in it: the message names the value with the credentials hidden.
  assert.throws(
    () => normaliseOllamaHost(`http://user:${password}@[bad`),
    (e: unknown) => e instanceof UsageError && /not a valid Ollama host/.test(e.message) && !e.message.includes(password),
  );
  assert.throws(
    () => checkUrl(`http://u:${password}@[x/v1`, 'The endpoint'),
    (e: unknown) => e instanceof UsageError && !e.message.includes(password),
  );
  assert.throws(
    () => checkUrl('https://proxy.example/v1?sig=abc', 'The OpenAI-compatible endpoint'),
    /must not carry a query string or fragment/,
  );
  assert.equal(checkUrl('https://proxy.example/v1/', 'x'), 'https://proxy.example/v1');
});

test('input-file limit: a file of exactly the limit is read, one byte more is refused with its size and the setting', async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'vl-size-'));
  try {
    configureLimits({ maxInputFileBytes: 4096 });
    const at = join(dir, 'at.csv');
    const over = join(dir, 'over.csv');
    await fs.writeFile(at, Buffer.alloc(4096, 0x61));
    await fs.writeFile(over, Buffer.alloc(4097, 0x61));
    assert.equal((await readInputBytes(at, 'Human data file')).length, 4096);
    assert.equal((await readInputFile(at, 'Items file')).length, 4096);
    for (const read of [readInputBytes, readInputFile]) {
      await assert.rejects(
        read(over, 'Human data file'),
        /over\.csv is 4\.0 KiB|over\.csv is 4097 bytes, over the 4 KiB input limit.*VALUE_LENS_MAX_INPUT_BYTES/,
      );
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('an output path that is an input (also via a hard link) is refused', async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'vl-out-'));
  try {
    const items = join(dir, 'items.wvs');
    await fs.writeFile(items, 'x');
    await fs.link(items, join(dir, 'alias.wvs'));
    await assert.rejects(refuseInputAsOutput(items, [items], '--out', 'score'), /--out .*items\.wvs is one of the input files/);
    await assert.rejects(refuseInputAsOutput(join(dir, 'alias.wvs'), [items], '--html', 'report'), /one of the input files/);
    await refuseInputAsOutput(join(dir, 'results.jsonl'), [items], '--out', 'score');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('study import tables over the input limit are refused with their size before being read', async () => {
  const { importStudyData } = await import('../../../src/core/study/importStudy');
  type Loaded = Parameters<typeof importStudyData>[0];
  type Mapping = NonNullable<Parameters<typeof importStudyData>[2]>[number];
  const dir = await fs.mkdtemp(join(tmpdir(), 'vl-import-'));
  try {
    configureLimits({ maxInputFileBytes: 4096 });
    const table = join(dir, 'answers.csv');
    await fs.writeFile(table, '');
    await fs.truncate(table, 4097);
    const loaded = {
      surveys: [],
      study: { name: 's', hash: 'h', models: [], results: join(dir, 'corpus'), imports: [] },
    } as unknown as Loaded;
    const mapping = { file: table, columns: {} } as unknown as Mapping;
    await assert.rejects(
      importStudyData(loaded, { toolVersion: 't', via: 'cli' } as never, [mapping]),
      /answers\.csv is 4097 bytes, over the 4 KiB input limit/,
    );
    await fs.truncate(table, 4096);
    // At the limit the table is read (what the importer then makes of 4 KiB of NUL bytes is its business).
    const outcome = await importStudyData(loaded, { toolVersion: 't', via: 'cli' } as never, [mapping]).then(
      () => 'read',
      (e: unknown) => String(e),
    );
    assert.doesNotMatch(outcome, /input limit/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('contradictory duplicates are counted (identical re-runs and other rounds are not)', async () => {
  const { findDuplicates } = await import('../../../src/core/run/duplicates');
  const base = {
    kind: 'result',
    itemId: 'Q1',
    language: 'en',
    model: 'm',
    template: 't',
    method: 'logprobs',
    paraphrase: null,
    optionOrder: [1, 2],
    mean: 1.2,
    probabilities: { 1: 0.8, 2: 0.2 },
  };
  const records = [
    base,
    { ...base }, // an identical re-run (a cache hit written twice)
    { ...base, round: 1, probabilities: { 1: 0.1, 2: 0.9 } }, // another round: a separate draw
    { ...base, itemId: 'Q2' },
    { ...base, itemId: 'Q2', probabilities: { 1: 0.3, 2: 0.7 } }, // same identity, different answer
  ] as unknown as Parameters<typeof findDuplicates>[0];
  const report = findDuplicates(records);
  assert.deepEqual(report, { duplicated: 2, contradictory: 1, examples: ['Q2 [en] model m'] });
});
