// Turns a model's free-form answer into candidate texts. Models wrap lists in chatter ("Here are ten
// paraphrases:"), code fences, numbering or bullets, and sometimes quote each entry; none of that is content.

const FENCE = /^\s*```/;
const NUMBERED = /^\s*(?:\(?\d{1,3}[.)\]:]|\[\d{1,3}\])\s+/;
const BULLET = /^\s*[-*•·–—]\s+/;
const CHATTER =
  /^(?:here(?:'s| (?:are|is))|sure[,!.]|certainly|of course|below (?:are|is)|these are|i hope|let me know|note:|translation:|her er|hier (?:is|zijn)|aqui (?:est[aãá]o?|vai)|segue)/i;

/** A lead-in or sign-off line: chatter words and no slot (a paraphrase may well start "Here is a question about {topic}"). */
function isChatter(line: string): boolean {
  const text = line.trim();
  return CHATTER.test(text) && !/\{[A-Za-z_][A-Za-z0-9_-]*\}/.test(text);
}

/**
 * Splits model output into entries: numbered or bulleted items (continuation lines join the item), else lines.
 * With `keepLineBreaks` (paraphrasing a multi-line template) continuation lines stay on their own lines.
 */
export function parseCandidates(output: string, options: { keepLineBreaks?: boolean } = {}): string[] {
  const join = options.keepLineBreaks ? '\n' : ' ';
  const lines = output
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((line) => !FENCE.test(line));
  const listed = lines.some((line) => NUMBERED.test(line) || BULLET.test(line));
  const entries: string[] = [];
  if (listed) {
    let current: string | undefined;
    for (const line of lines) {
      const marker = NUMBERED.exec(line) ?? BULLET.exec(line);
      if (marker) {
        if (current !== undefined) entries.push(current);
        current = line.slice(marker[0].length);
      } else if (current !== undefined && line.trim() !== '' && !isChatter(line)) {
        current += `${join}${line.trim()}`;
      } else if (current !== undefined && line.trim() === '') {
        entries.push(current);
        current = undefined;
      }
    }
    if (current !== undefined) entries.push(current);
  } else {
    entries.push(...lines);
  }
  return entries.map((entry) => cleanEntry(entry, options.keepLineBreaks === true)).filter((entry) => entry !== '' && !isChatter(entry));
}

function cleanEntry(entry: string, keepLineBreaks: boolean): string {
  let text = entry.trim();
  // Strip one pair of wrapping quotes or emphasis markers the model added around the whole entry.
  const wrappers: [string, string][] = [
    ['"', '"'],
    ['“', '”'],
    ["'", "'"],
    ['«', '»'],
    ['**', '**'],
  ];
  for (const [open, close] of wrappers) {
    if (text.length > open.length + close.length && text.startsWith(open) && text.endsWith(close)) {
      text = text.slice(open.length, text.length - close.length).trim();
    }
  }
  if (!keepLineBreaks) return text.replace(/\s+/g, ' ');
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * Drops a model's lead-in ("Here is the translation:") and sign-off ("I hope this helps") around a single
 * text, unless the original itself starts or ends with such a line.
 */
export function stripChatter(output: string, original: string): string {
  const lines = output.replace(/\r\n?/g, '\n').split('\n');
  const originalLines = original
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const extra = (line: string, ownLine: string | undefined): boolean => isChatter(line) && !(ownLine !== undefined && isChatter(ownLine));
  while (lines.length > 1 && (lines[0].trim() === '' || extra(lines[0], originalLines[0]))) lines.shift();
  while (
    lines.length > 1 &&
    (lines[lines.length - 1].trim() === '' || extra(lines[lines.length - 1], originalLines[originalLines.length - 1]))
  )
    lines.pop();
  return lines.join('\n');
}
