// `value-lens check FILE|DIR...`: parse .wvs and .wvt files and print their diagnostics; exit 1 on errors.

import { promises as fs } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { parseSurvey, parseTemplates } from '../core/language/index';
import type { Diagnostic } from '../core/language/ast';
import { flag, parseFlags } from './args';
import { formatDiagnostic, toJsonDiagnostic, type JsonDiagnostic } from './diagnostics';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './errors';
import { print, readInputFile, type Io } from './io';

export const CHECK_HELP = `Usage: value-lens check FILE|DIR... [--json]

Parses .wvs (items) and .wvt (templates) files and prints every diagnostic as
  file:line:col: severity: code: message
Folders are searched for .wvs and .wvt files.

Options:
  --json     print {"files":[{"file","kind","diagnostics":[...]}],"errors","warnings"} instead
  -h, --help show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 bad usage or missing file.`;

export interface CheckJson {
  files: { file: string; kind: 'survey' | 'templates'; diagnostics: JsonDiagnostic[] }[];
  errors: number;
  warnings: number;
}

export async function runCheck(argv: string[], io: Io): Promise<number> {
  const parsed = parseFlags('check', argv, { json: { type: 'boolean' } });
  if (flag(parsed, 'help')) {
    print(io.stdout, CHECK_HELP);
    return EXIT_OK;
  }
  if (!parsed.positionals.length) throw new UsageError('check needs at least one .wvs or .wvt file or folder.', 'check');

  const files: string[] = [];
  for (const arg of parsed.positionals) files.push(...(await expand(arg, io.cwd)));
  if (!files.length) throw new UsageError(`No .wvs or .wvt files found in ${parsed.positionals.join(', ')}.`, 'check');

  const result: CheckJson = { files: [], errors: 0, warnings: 0 };
  const lines: string[] = [];
  for (const file of files) {
    const text = await readInputFile(resolve(io.cwd, file), 'File');
    const kind = extname(file).toLowerCase() === '.wvs' ? 'survey' : 'templates';
    const diagnostics: Diagnostic[] = (kind === 'survey' ? parseSurvey(text) : parseTemplates(text)).diagnostics;
    const sorted = [...diagnostics].sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
    for (const d of sorted) {
      if (d.severity === 'error') result.errors++;
      else if (d.severity === 'warning') result.warnings++;
      lines.push(formatDiagnostic(file, d));
    }
    result.files.push({ file, kind, diagnostics: sorted.map(toJsonDiagnostic) });
  }

  if (flag(parsed, 'json')) {
    print(io.stdout, JSON.stringify(result, null, 2));
  } else {
    for (const line of lines) print(io.stdout, line);
    const summary = `${files.length} file(s) checked: ${result.errors} error(s), ${result.warnings} warning(s).`;
    print(io.stderr, summary);
  }
  return result.errors > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** A file as given, or the .wvs/.wvt files under a folder (skipping dot folders and node_modules). */
async function expand(arg: string, cwd: string): Promise<string[]> {
  const full = resolve(cwd, arg);
  let stat;
  try {
    stat = await fs.stat(full);
  } catch {
    throw new UsageError(`${arg} does not exist.`, 'check');
  }
  if (!stat.isDirectory()) {
    const ext = extname(arg).toLowerCase();
    if (ext !== '.wvs' && ext !== '.wvt') {
      throw new UsageError(`${arg}: check reads .wvs and .wvt files only.`, 'check');
    }
    return [arg];
  }
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/\.(wvs|wvt)$/i.test(entry.name)) out.push(relative(cwd, path) || path);
    }
  };
  await walk(full);
  return out;
}
