// Turns the bytes of a CSV export into text. Spreadsheet exports from Danish, Dutch and Portuguese
// machines are often Windows-1252 ("CSV" in Excel) rather than UTF-8, and only the UTF-8 variant with a
// BOM is recognised by Excel, so both must be read without producing U+FFFD.

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
  /** Whether a byte-order mark was present (and removed). */
  bom: boolean;
  /** UTF-8 files with a few Windows-1252 lines (a pasted row): those lines' 1-based numbers. */
  windows1252Lines?: number[];
}

/**
 * Decodes bytes as UTF-8 (with or without BOM), UTF-16 when a UTF-16 BOM says so, otherwise — when the
 * bytes are not valid UTF-8 — as Windows-1252. Strings are returned as they are, minus a leading BOM.
 */
export function decodeText(input: string | Uint8Array): DecodedText {
  if (typeof input === 'string') {
    const bom = input.charCodeAt(0) === 0xfeff;
    return { text: bom ? input.slice(1) : input, encoding: 'utf-8', bom };
  }
  const b = input;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(b.subarray(3)), encoding: 'utf-8', bom: true };
  }
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(b.subarray(2)), encoding: 'utf-16le', bom: true };
  }
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(b.subarray(2)), encoding: 'utf-16be', bom: true };
  }
  try {
    // fatal: an invalid sequence throws instead of silently becoming U+FFFD.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(b), encoding: 'utf-8', bom: false };
  } catch {
    return mixedOrWindows1252(b);
  }
}

/**
 * Not valid UTF-8 as a whole. When some line holds valid multi-byte UTF-8, the file is UTF-8 and only
 * the lines that are not get read as Windows-1252 (one pasted spreadsheet row must not turn every "ø"
 * of the file into "Ã¸"); otherwise the whole file is Windows-1252.
 */
function mixedOrWindows1252(b: Uint8Array): DecodedText {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const cp1252 = new TextDecoder('windows-1252');
  const parts: string[] = [];
  const fallback: number[] = [];
  let utf8NonAscii = false;
  let start = 0;
  for (let line = 1; start <= b.length; line++) {
    let end = b.indexOf(0x0a, start);
    if (end < 0) end = b.length;
    const bytes = b.subarray(start, end);
    try {
      parts.push(utf8.decode(bytes));
      if (!utf8NonAscii && bytes.some((x) => x >= 0x80)) utf8NonAscii = true;
    } catch {
      parts.push(cp1252.decode(bytes));
      fallback.push(line);
    }
    start = end + 1;
  }
  if (!utf8NonAscii) return { text: cp1252.decode(b), encoding: 'windows-1252', bom: false };
  return { text: parts.join('\n'), encoding: 'utf-8', bom: false, windows1252Lines: fallback };
}
