// The webview's texts in VS Code's display language. The webview cannot call vscode.l10n: the host writes
// its bundle into #vl-root[data-l10n] and `t` looks each English text up there (src/shared/protocol.ts
// validates the table). The CLI's HTML report has no table, so it reads English. Every call is `t('literal')`
// so l10n/injected.mjs puts the texts into l10n/bundle.l10n.json.
import { fillUiString, parseUiStrings, type UiStrings } from '../src/shared/protocol';

let strings: UiStrings = parseUiStrings(undefined);

/** Reads the table from the root's `data-l10n` attribute (JSON); a missing or broken one leaves English. */
export function loadUiStrings(root: Element): void {
  const text = root.getAttribute('data-l10n');
  if (!text) return;
  try {
    strings = parseUiStrings(JSON.parse(text));
  } catch {
    // Not JSON: stay in English rather than fail to render.
  }
}

/** `message` in the display language (or English), with `{0}` … filled from `args`. */
export function t(message: string, ...args: (string | number)[]): string {
  return fillUiString(strings[message] ?? message, args);
}
