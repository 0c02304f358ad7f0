// Text that core produces for a person (diagnostics, quick-fix titles, hovers) as an English template with
// `{0}` placeholders and its arguments. Core stays language-neutral: the CLI prints the English, the editor
// translates the template with vscode.l10n.t, which looks a message up by its English text. Templates are
// literal `msg('…')` / `t('…')` calls so l10n/injected.mjs can put them in l10n/bundle.l10n.json.

/** An argument: a value shown as is, or a nested message (a phrase such as "item Q1") translated too. */
export type MessageArg = string | number | Message;

export interface Message {
  readonly template: string;
  readonly args: readonly MessageArg[];
}

/** The signature of vscode.l10n.t with positional arguments; the editor passes it, core defaults to English. */
export type Translate = (template: string, ...args: (string | number)[]) => string;

/** A message to be shown later, in whatever language the viewer uses. The template must be a literal. */
export function msg(template: string, ...args: MessageArg[]): Message {
  return { template, args };
}

// VS Code's formatter replaces `{name}` by the argument of that name or index and leaves unknown ones (a
// `{question}` slot in a message stays as written); this does the same, so the English reads alike in both.
const PLACEHOLDER = /\{([^}]+)\}/g;

/** Fills a template's `{0}`, `{1}` … from `args`; a placeholder without an argument stays as written. */
function fillTemplate(template: string, args: readonly (string | number)[]): string {
  if (args.length === 0) return template;
  return template.replace(PLACEHOLDER, (match, key: string) => {
    const value = /^\d+$/.test(key) ? args[Number(key)] : undefined;
    return value === undefined ? match : String(value);
  });
}

/** The English text: the translator of the CLI and of every `t` parameter left at its default. */
export const english: Translate = (template, ...args) => fillTemplate(template, args);

/** A message in the translator's language; nested messages are translated first. */
export function renderMessage(message: Message, t: Translate = english): string {
  return t(message.template, ...message.args.map((arg) => (typeof arg === 'object' ? renderMessage(arg, t) : arg)));
}
