// AST ranges (0-based, plain objects) → VS Code ranges.
import * as vscode from 'vscode';
import type { Range, Severity } from '../core/language/ast';

export function toRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

export function toSeverity(severity: Severity): vscode.DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    case 'information':
      return vscode.DiagnosticSeverity.Information;
    default:
      return vscode.DiagnosticSeverity.Hint;
  }
}

export const SELECTOR: vscode.DocumentSelector = [{ language: 'wvs' }, { language: 'wvt' }];
export const SURVEY_SELECTOR: vscode.DocumentSelector = [{ language: 'wvs' }];
