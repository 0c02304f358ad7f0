// `{slot}` occurrences in template text. `{{` and `}}` are literal braces. Only `{identifier}` is a slot,
// matching what the renderer fills; the scan is linear (no backtracking on long runs of braces).
import { KNOWN_SLOTS, type SlotName } from './ast';

export interface SlotOccurrence {
  name: string;
  /** Offset of the `{` in the text. */
  offset: number;
  /** Length including both braces. */
  length: number;
}

const OPEN = 123;
const CLOSE = 125;

/**
 * The one slot-name grammar: a letter or `_`, then letters, digits, `_` and `-`. The parser reports any
 * other `{name}` it finds, the `slots` header accepts only these, and both fillers (prompt rendering,
 * authoring prompts) fill only these — so a name that passes one check passes them all.
 */
export const SLOT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function isSlotName(name: string): boolean {
  return SLOT_NAME.test(name);
}

function isNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 45;
}

export function findSlots(text: string): SlotOccurrence[] {
  const out: SlotOccurrence[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === OPEN) {
      if (text.charCodeAt(i + 1) === OPEN) {
        i += 2;
        continue;
      }
      let j = i + 1;
      while (j < length && isNameChar(text.charCodeAt(j))) j++;
      if (j > i + 1 && text.charCodeAt(j) === CLOSE) {
        out.push({ name: text.slice(i + 1, j), offset: i, length: j + 1 - i });
        i = j + 1;
      } else {
        i = j;
      }
    } else if (c === CLOSE && text.charCodeAt(i + 1) === CLOSE) {
      i += 2;
    } else {
      i++;
    }
  }
  return out;
}

const KNOWN = new Set<string>(KNOWN_SLOTS);

export function isKnownSlot(name: string): name is SlotName {
  return KNOWN.has(name);
}

/** The distinct known slot names (and `extra` ones, e.g. declared by a `slots` line) in a text, in first-seen order. */
export function slotNames(text: string, extra?: ReadonlySet<string>): Set<string> {
  const names = new Set<string>();
  for (const slot of findSlots(text)) if (KNOWN.has(slot.name) || extra?.has(slot.name)) names.add(slot.name);
  return names;
}
