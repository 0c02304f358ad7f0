// One sanitiser for text that comes from outside (server answers, input files) before it reaches a
// terminal: control characters, ESC/CSI/OSC sequences, C1 controls and bidirectional overrides are shown
// as visible escapes, so a hostile server cannot clear the screen, write the clipboard (OSC 52), recolour
// a line or fake a "0 failed" summary. Newlines and tabs stay; a carriage return is made visible too.

// C0 except \t and \n, DEL, C1, and the bidi embedding/override/isolate controls.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every terminal-control character replaced by a visible `\uNNNN` escape. That form is also a
 * valid JSON string escape, so JSON printed through here (`--json`) stays parseable and means the same.
 */
export function visible(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether `text` holds any character `visible` would escape. */
export function hasControlCharacters(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}
