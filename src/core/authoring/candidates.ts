// Turns a model's free-form answer into candidate texts. Models wrap lists in chatter ("Here are ten
// paraphrases:"), code fences, numbering or bullets, and sometimes quote each entry; none of that is content.

const FENCE = /^\s*```/;
const NUMBERED = /^\s*(?:\(?\d{1,3}[.)\]:]|\[\d{1,3}\])\s+/;
const BULLET = /^\s*[-*•·–—]\s+/;
const CHATTER = /^(?:here (?:are|is)|sure[,!.]|certainly|of course|below (?:are|is)|these are|i hope|let me know|note:|her er|hier zijn|aqui est[aã]o)/i;

/** Splits model output into entries: numbered or bulleted items (continuation lines join the item), else lines. */
export function parseCandidates(output: string): string[] {
  const lines = output.replace(/\r\n?/g, '\n').split('\n').filter((line) => !FENCE.test(line));
  const listed = lines.some((line) => NUMBERED.test(line) || BULLET.test(line));
  const entries: string[] = [];
  if (listed) {
    let current: string | undefined;
    for (const line of lines) {
      const marker = NUMBERED.exec(line) ?? BULLET.exec(line);
      if (marker) {
        if (current !== undefined) entries.push(current);
        current = line.slice(marker[0].length);
      } else if (current !== undefined && line.trim() !== '' && !CHATTER.test(line.trim())) {
        current += ` ${line.trim()}`;
      } else if (current !== undefined && line.trim() === '') {
        entries.push(current);
        current = undefined;
      }
    }
    if (current !== undefined) entries.push(current);
  } else {
    entries.push(...lines);
  }
  return entries.map(cleanEntry).filter((entry) => entry !== '' && !CHATTER.test(entry));
}

function cleanEntry(entry: string): string {
  let text = entry.trim();
  // Strip one pair of wrapping quotes or emphasis markers the model added around the whole entry.
  const wrappers: [string, string][] = [['"', '"'], ['“', '”'], ["'", "'"], ['«', '»'], ['**', '**']];
  for (const [open, close] of wrappers) {
    if (text.length > open.length + close.length && text.startsWith(open) && text.endsWith(close)) {
      text = text.slice(open.length, text.length - close.length).trim();
    }
  }
  return text.replace(/\s+/g, ' ');
}
