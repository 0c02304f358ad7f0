// Parsing files named on the command line, and printing their diagnostics in the compiler-style form
// `file:line:col: severity: code: message` (1-based, which editors and CI annotators understand).

import { parseSurvey, parseTemplates } from '../core/language/index';
import type { Diagnostic, SurveyFile, TemplateFile } from '../core/language/ast';
import { InputError } from './errors';
import { visible } from '../core/text';
import { readInputFile } from './io';

export interface JsonDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Diagnostic['severity'];
  code: string;
  message: string;
}

export function toJsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  return {
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
}

export function formatDiagnostic(file: string, d: Diagnostic): string {
  // A message may span lines; keep one diagnostic per output line for grep and problem matchers.
  // Messages quote the file's text: control characters are shown, never sent to the terminal.
  const message = visible(d.message.replace(/\s*\n\s*/g, ' '));
  return `${visible(file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.code}: ${message}`;
}

/** Reads and parses a `.wvs` file; errors in it stop the command with exit 1 after printing them. */
export async function loadSurvey(path: string, display: string, stderr: NodeJS.WritableStream): Promise<SurveyFile> {
  return surveyFromText(await readInputFile(path, 'Items file'), display, stderr);
}

/** loadSurvey of a file already read. */
export function surveyFromText(text: string, display: string, stderr: NodeJS.WritableStream): SurveyFile {
  const survey = parseSurvey(text);
  reportOrThrow(display, survey.diagnostics, stderr, 'items file');
  return survey;
}

/** Parses a `.wvt` file already read; errors in it stop the command with exit 1 after printing them. */
export function templatesFromText(text: string, display: string, stderr: NodeJS.WritableStream): TemplateFile {
  const templates = parseTemplates(text);
  reportOrThrow(display, templates.diagnostics, stderr, 'template file');
  return templates;
}

function reportOrThrow(display: string, diagnostics: Diagnostic[], stderr: NodeJS.WritableStream, what: string): void {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) stderr.write(`${formatDiagnostic(display, d)}\n`);
  if (errors.length) {
    throw new InputError(`The ${what} ${display} has ${errors.length} error(s); fix them first (see \`value-lens check\`).`);
  }
}
