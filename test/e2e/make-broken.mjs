// Writes a deliberately broken copy of a survey for the Problems scenario: one line the parser cannot read,
// an unknown scale and a duplicate item id. Usage: node make-broken.mjs SOURCE TARGET
import { readFileSync, writeFileSync } from 'node:fs';

const [source, target] = process.argv.slice(2);
let text = readFileSync(source, 'utf8');
const replace = (from, to) => {
  if (!text.includes(from)) throw new Error(`make-broken: "${from}" not found in ${source}`);
  text = text.replace(from, to);
};
replace('languages en da nl pt\n', 'languages en da nl pt\nthis line is not valid survey syntax\n');
replace('  scale: agree\n', '  scale: agreement\n'); // unknown-scale
replace('item Q2 "Important in life: friends"', 'item Q1 "Important in life: friends"'); // duplicate-id
writeFileSync(target, text);
