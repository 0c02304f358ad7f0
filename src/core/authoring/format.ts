// Writes accepted candidates back as .wvt/.wvs source text. Machine translations carry the `[mt]`
// attribute until a person edits them and removes it.

/** A language-tagged property line, or a `|` block when the text spans lines. */
export function formatTaggedText(tag: string, text: string, indent: string, machineTranslated: boolean): string {
  const head = `${indent}${tag}${machineTranslated ? '[mt]' : ''}:`;
  if (!text.includes('\n')) return `${head} ${text}\n`;
  const body = text
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `${indent}  ${line}`))
    .join('\n');
  return `${head} |\n${body}\n`;
}

/** A `paraphrases` block for one language. */
export function formatParaphraseSet(
  name: string,
  templateName: string,
  language: string,
  texts: string[],
  machineTranslated = false,
): string {
  const header = name === templateName ? `paraphrases ${name}` : `paraphrases ${name} of ${templateName}`;
  const entries = texts.map((text) => formatListEntry(text)).join('');
  return `${header}\n  ${language}${machineTranslated ? '[mt]' : ''}:\n${entries}`;
}

/** One `- ` entry of a paraphrase list (multi-line texts become `- |` blocks). */
export function formatListEntry(text: string, indent = '    '): string {
  if (!text.includes('\n')) return `${indent}- ${text}\n`;
  const body = text
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `${indent}  ${line}`))
    .join('\n');
  return `${indent}- |\n${body}\n`;
}
