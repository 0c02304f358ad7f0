// Streaming reader of results: a corpus folder (its records.jsonl), a records.jsonl, any results file of
// round one, or a folder of such files (the editor's old runs folder). Reads fixed-size chunks and splits
// lines itself: never the whole file as one string (V8 cannot hold a string above 512 MB), memory bounded
// by the chunk and the longest line. Unreadable lines are counted and reported by file and line number.

import { isAscii } from 'node:buffer';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { RunRecord } from '../results';
import { parseRecordLine } from './records';
import { CORPUS_RECORDS_FILE } from './types';

const CHUNK_BYTES = 1 << 20;
/** A line longer than this is damage (a record is a few KB): skipped as one bad line, never buffered whole. */
export const MAX_LINE_CHARS = 64 << 20;
/** Bad line numbers kept for the report; the count is always exact. */
const DEFAULT_MAX_BAD_LINES = 1000;

export interface BadLine {
  file: string;
  /** 1-based line number in that file. */
  line: number;
}

export interface CorpusReadReport {
  files: string[];
  /** Non-blank lines read: records plus bad lines. */
  lines: number;
  records: number;
  badLineCount: number;
  /** The first bad lines (up to maxBadLines), in reading order. */
  badLines: BadLine[];
}

export interface CorpusReadOptions {
  /** How many bad line numbers to keep (default 1000); the count is exact regardless. */
  maxBadLines?: number;
  signal?: AbortSignal;
  /** Fill format 1's missing factors (records.ts withDefaults); default true. false: records as written. */
  defaults?: boolean;
}

/** Something selectUnits can ask, after iterating, how many lines it could not read. */
export interface BadLineSource {
  readonly badLineCount: number;
}

/**
 * The files a path stands for: a folder with records.jsonl → that file; a folder without → its *.jsonl
 * files sorted by name (round one's one-file-per-run folder); a file → itself.
 */
export async function corpusFiles(pathOrDir: string): Promise<string[]> {
  const stat = await fs.stat(pathOrDir);
  if (!stat.isDirectory()) return [pathOrDir];
  const names = await fs.readdir(pathOrDir);
  if (names.includes(CORPUS_RECORDS_FILE)) return [join(pathOrDir, CORPUS_RECORDS_FILE)];
  return names
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .map((n) => join(pathOrDir, n));
}

/** Calls onRecord for every record, in file order; resolves with what was read. */
export async function readCorpus(
  pathOrDir: string,
  onRecord: (record: RunRecord) => void,
  options: CorpusReadOptions = {},
): Promise<CorpusReadReport> {
  const files = await corpusFiles(pathOrDir);
  const report: CorpusReadReport = { files, lines: 0, records: 0, badLineCount: 0, badLines: [] };
  const maxBad = options.maxBadLines ?? DEFAULT_MAX_BAD_LINES;
  for (const file of files) {
    await readFileLines(file, options.signal, (line, number) => {
      report.lines++;
      const record = parseRecordLine(line, options.defaults !== false);
      if (record) {
        report.records++;
        onRecord(record);
      } else {
        report.badLineCount++;
        if (report.badLines.length < maxBad) report.badLines.push({ file, line: number });
      }
    });
  }
  return report;
}

/**
 * The records of a corpus as an async iterable (for selectUnits and other streaming consumers). Records come
 * in chunk-sized batches under the hood; `report` is complete once iteration has ended.
 */
export class CorpusReader implements AsyncIterable<RunRecord>, BadLineSource {
  report: CorpusReadReport = { files: [], lines: 0, records: 0, badLineCount: 0, badLines: [] };

  constructor(
    readonly pathOrDir: string,
    private readonly options: CorpusReadOptions = {},
  ) {}

  get badLineCount(): number {
    return this.report.badLineCount;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RunRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** The records a chunk of the file held, batch by batch: the cheap way to stream a million records. */
  async *batches(): AsyncGenerator<RunRecord[]> {
    const files = await corpusFiles(this.pathOrDir);
    const report: CorpusReadReport = { files, lines: 0, records: 0, badLineCount: 0, badLines: [] };
    this.report = report;
    const maxBad = this.options.maxBadLines ?? DEFAULT_MAX_BAD_LINES;
    const defaults = this.options.defaults !== false;
    for (const file of files) {
      for await (const chunk of fileLineBatches(file, this.options.signal)) {
        const batch: RunRecord[] = [];
        for (let i = 0; i < chunk.lines.length; i++) {
          report.lines++;
          const record = parseRecordLine(chunk.lines[i], defaults);
          if (record) {
            report.records++;
            batch.push(record);
          } else {
            report.badLineCount++;
            if (report.badLines.length < maxBad) report.badLines.push({ file, line: chunk.numbers[i] });
          }
        }
        if (batch.length) yield batch;
      }
    }
  }
}

export function corpusRecords(pathOrDir: string, options?: CorpusReadOptions): CorpusReader {
  return new CorpusReader(pathOrDir, options);
}

/** Splits a file into non-blank lines (without '\n', '\r' or a leading BOM) with their 1-based numbers. */
async function readFileLines(file: string, signal: AbortSignal | undefined, onLine: (line: string, number: number) => void): Promise<void> {
  for await (const chunk of fileLineBatches(file, signal))
    for (let i = 0; i < chunk.lines.length; i++) onLine(chunk.lines[i], chunk.numbers[i]);
}

interface LineBatch {
  lines: string[];
  numbers: number[];
}

/** The lines of a file in chunk-sized batches; `chunkBytes` is for tests (characters across chunk boundaries). */
export async function* fileLineBatches(file: string, signal: AbortSignal | undefined, chunkBytes = CHUNK_BYTES): AsyncGenerator<LineBatch> {
  const decoder = new StringDecoder('utf8');
  /** The decoder has had bytes since its last end(): it may hold the start of a character. */
  let decoding = false;
  const stream = createReadStream(file, { highWaterMark: chunkBytes, ...(signal ? { signal } : {}) });
  let carry = '';
  let number = 0;
  /** Inside an over-long line: drop text until its end. */
  let overlong = false;
  let first = true;
  let out: LineBatch = { lines: [], numbers: [] };
  const push = (line: string, n: number): void => {
    out.lines.push(line);
    out.numbers.push(n);
  };
  const emit = (raw: string): void => {
    number++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (first) {
      first = false;
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    }
    if (line.length === 0 || line.trim() === '') return;
    push(line, number);
  };
  /** A newline ends the current line: `piece` is its text after `carry` ('' when the line is over-long). */
  const endLine = (piece: string): void => {
    if (overlong) {
      overlong = false;
      number++;
      push('\u0000overlong', number);
    } else emit(carry.length ? carry + piece : piece);
    carry = '';
  };
  /** The text after a chunk's last newline starts the next line, unless that line is over-long already. */
  const keepTail = (tail: string): void => {
    carry = carry.length ? carry + tail : tail;
    if (carry.length > MAX_LINE_CHARS) {
      overlong = true;
      carry = '';
    }
  };
  for await (const buffer of stream as AsyncIterable<Buffer>) {
    if (isAscii(buffer)) {
      // All bytes < 0x80 (the usual corpus): each line is its bytes as latin1, cut from the buffer — a
      // copy per line instead of UTF-8 decoding the chunk (a one-byte string either way). A character the
      // decoder holds the start of cannot continue in ASCII bytes: end() gives what write() would (U+FFFD).
      if (decoding) {
        const rest = decoder.end();
        decoding = false;
        if (!overlong) carry += rest;
      }
      let start = 0;
      for (let nl = buffer.indexOf(10, start); nl >= 0; nl = buffer.indexOf(10, start)) {
        endLine(overlong ? '' : buffer.toString('latin1', start, nl));
        start = nl + 1;
      }
      if (!overlong) keepTail(buffer.toString('latin1', start));
    } else {
      decoding = true;
      const text = decoder.write(buffer);
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
        endLine(overlong ? '' : text.slice(start, nl));
        start = nl + 1;
      }
      if (!overlong) keepTail(text.slice(start));
    }
    if (out.lines.length) {
      yield out;
      out = { lines: [], numbers: [] };
    }
  }
  const rest = decoder.end();
  if (overlong) {
    number++;
    push('\u0000overlong', number);
  } else if (carry.length || rest.length) {
    emit(carry + rest);
  }
  if (out.lines.length) yield out;
}
