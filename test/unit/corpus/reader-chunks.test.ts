// The reader's two paths per chunk (reader.ts fileLineBatches): all-ASCII chunks cut as latin1 from the
// bytes, other chunks through the UTF-8 decoder. With chunks of a few bytes, ASCII and non-ASCII chunks
// alternate and multi-byte characters fall across chunk boundaries; the lines must be those of the whole
// file decoded at once, at every chunk size.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileLineBatches } from '../../../src/core/corpus/reader';

async function linesOf(path: string, chunkBytes: number): Promise<{ lines: string[]; numbers: number[] }> {
  const lines: string[] = [];
  const numbers: number[] = [];
  for await (const batch of fileLineBatches(path, undefined, chunkBytes)) {
    lines.push(...batch.lines);
    numbers.push(...batch.numbers);
  }
  return { lines, numbers };
}

/** What the reader promises: non-blank lines of the whole text without '\r' or a leading BOM, 1-based numbers. */
function expected(text: string): { lines: string[]; numbers: number[] } {
  const lines: string[] = [];
  const numbers: number[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i, all) => {
      if (i === all.length - 1 && raw === '') return;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') return;
      lines.push(line);
      numbers.push(i + 1);
    });
  return { lines, numbers };
}

async function withFile(bytes: Buffer, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vl-reader-chunks-'));
  try {
    const path = join(dir, 'records.jsonl');
    await writeFile(path, bytes);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('ASCII and multi-byte lines read the same at every chunk size from 1 to 64 bytes', () => {
  // 2-, 3- and 4-byte characters (ø, 漢, 😀) between long ASCII runs; CRLF, blank and whitespace lines.
  const text =
    [
      '{"template":"plain ascii line","n":1}',
      '{"template":"tø漢😀","n":2}\r',
      '',
      '{"template":"' + 'x'.repeat(40) + 'ø","n":3}',
      '   ',
      '{"template":"' + 'y'.repeat(23) + '","n":4}\r',
      '😀😀漢ø',
      '{"template":"end","n":5}',
    ].join('\n') + '\n';
  const bytes = Buffer.from(text, 'utf8');
  return withFile(bytes, async (path) => {
    const want = expected(text);
    for (let size = 1; size <= 64; size++) assert.deepEqual(await linesOf(path, size), want, `chunk ${size} bytes`);
    assert.deepEqual(await linesOf(path, 1 << 20), want);
  });
});

test('a BOM and a last line without a newline read the same at every chunk size', () => {
  const text = '\uFEFF{"a":"ø"}\n{"b":1}\n{"c":"漢"}';
  return withFile(Buffer.from(text, 'utf8'), async (path) => {
    const want = expected(text);
    for (let size = 1; size <= 24; size++) assert.deepEqual(await linesOf(path, size), want, `chunk ${size} bytes`);
  });
});

test('a character cut short before ASCII bytes is one U+FFFD, as decoding the whole file gives', () => {
  // 0xE6 0xBC starts a 3-byte character the next byte (ASCII) does not continue; 0xF0 0x9F likewise.
  const bytes = Buffer.concat([
    Buffer.from('{"a":"x'),
    Buffer.from([0xe6, 0xbc]),
    Buffer.from('yz"}\n{"b":"'),
    Buffer.from([0xf0, 0x9f]),
    Buffer.from('"}\n{"c":1}\n'),
  ]);
  const whole = bytes.toString('utf8');
  assert.equal(whole.split('\uFFFD').length - 1, 2);
  return withFile(bytes, async (path) => {
    const want = expected(whole);
    for (let size = 1; size <= 32; size++) assert.deepEqual(await linesOf(path, size), want, `chunk ${size} bytes`);
  });
});
