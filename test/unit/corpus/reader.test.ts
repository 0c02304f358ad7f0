// The streaming reader: lines across chunk boundaries, bad lines by number, every accepted shape of input.
import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CorpusReader, corpusFiles, readCorpus } from '../../../src/core/corpus/reader';
import type { RunRecord } from '../../../src/core/results';
import { readRunRecords } from '../../../src/core/run/store';
import { result } from './support';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vl-corpus-read-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('3 MB of records with multibyte text: every record read, lines split across 1 MB chunks intact', () =>
  withDir(async (dir) => {
    const path = join(dir, 'records.jsonl');
    const n = 6000;
    // "ø" and "漢" are 2 and 3 bytes: some fall on chunk boundaries.
    const text =
      Array.from({ length: n }, (_, i) => JSON.stringify(result(i, { round: i, template: `tø漢${'x'.repeat(i % 97)}` }))).join('\n') + '\n';
    assert.ok(Buffer.byteLength(text) > 3 << 20);
    await writeFile(path, text);
    const rounds: number[] = [];
    const report = await readCorpus(path, (r) => rounds.push(r.round ?? -1));
    assert.equal(report.records, n);
    assert.equal(report.badLineCount, 0);
    assert.deepEqual(
      rounds,
      Array.from({ length: n }, (_, i) => i),
    );
    const reader = new CorpusReader(path);
    let k = 0;
    for await (const r of reader) {
      assert.equal(r.template, `tø漢${'x'.repeat(k % 97)}`);
      k++;
    }
    assert.equal(k, n);
    assert.equal(reader.report.records, n);
  }));

test('bad lines are reported by number and counted; CRLF, BOM and blank lines read fine; a torn last line is bad', () =>
  withDir(async (dir) => {
    const path = join(dir, 'r.jsonl');
    const good = (i: number): string => JSON.stringify(result(i));
    const body = [
      '\uFEFF' + good(0),
      good(1) + '\r',
      '',
      'not json',
      '{"kind":"result","itemId":"x"}',
      '   ',
      good(2),
      '{"kind":"res',
    ].join('\n');
    await writeFile(path, body);
    const got: RunRecord[] = [];
    const report = await readCorpus(path, (r) => got.push(r));
    assert.equal(got.length, 3);
    assert.deepEqual(
      report.badLines.map((b) => b.line),
      [4, 5, 8],
    );
    assert.equal(report.badLineCount, 3);
    assert.equal(report.lines, 6);
    const old = await readRunRecords(path);
    assert.equal(old.records.length, 3);
    assert.deepEqual(old.badLines, [4, 5, 8]);
    const limited = await readCorpus(path, () => undefined, { maxBadLines: 1 });
    assert.equal(limited.badLines.length, 1);
    assert.equal(limited.badLineCount, 3);
  }));

test('an over-long line is one bad line, not a buffered string; the lines after it still read', () =>
  withDir(async (dir) => {
    const path = join(dir, 'r.jsonl');
    const { MAX_LINE_CHARS } = await import('../../../src/core/corpus/reader');
    const huge = 'x'.repeat(MAX_LINE_CHARS + (2 << 20));
    await writeFile(path, `${JSON.stringify(result(0))}\n${huge}\n${JSON.stringify(result(1))}\n`);
    const report = await readCorpus(path, () => undefined);
    assert.equal(report.records, 2);
    assert.deepEqual(
      report.badLines.map((b) => b.line),
      [2],
    );
  }));

test('accepts a corpus folder, a records.jsonl, one old results file, or a folder of old run files', () =>
  withDir(async (dir) => {
    const corpus = join(dir, 'study.results');
    await mkdir(join(corpus, 'runs'), { recursive: true });
    await writeFile(join(corpus, 'records.jsonl'), `${JSON.stringify(result(0))}\n`);
    await writeFile(join(corpus, 'other.jsonl'), `${JSON.stringify(result(9))}\n`);
    assert.deepEqual(await corpusFiles(corpus), [join(corpus, 'records.jsonl')]);
    const runs = join(dir, 'runs');
    await mkdir(runs);
    await writeFile(join(runs, 'b.jsonl'), `${JSON.stringify(result(2))}\n`);
    await writeFile(join(runs, 'a.jsonl'), `${JSON.stringify(result(1))}\n`);
    await writeFile(join(runs, 'notes.txt'), 'x');
    const ids: string[] = [];
    const report = await readCorpus(runs, (r) => ids.push(r.itemId));
    assert.deepEqual(ids, ['Q1', 'Q2']);
    assert.equal(report.files.length, 2);
    assert.equal((await readCorpus(join(runs, 'a.jsonl'), () => undefined)).records, 1);
    await assert.rejects(
      readCorpus(join(dir, 'missing.jsonl'), () => undefined),
      /ENOENT/,
    );
  }));
