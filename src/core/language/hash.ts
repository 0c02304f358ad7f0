// A stable fingerprint of what a model sees of an item: wording, topics and the scale's options. Results
// carry it so that editing the wording marks older results stale. Ids, titles, notes, categories and the
// `[mt]` flag are left out: they do not change the prompt.
import * as crypto from 'node:crypto';
import type { Item, Scale, TextEntry } from './ast';

function sortedTexts(texts: Record<string, TextEntry>): [string, string][] {
  return Object.keys(texts)
    .sort()
    .map((language) => [language, texts[language].value]);
}

function sortedLabels(labels: Record<string, string>): [string, string][] {
  return Object.keys(labels)
    .sort()
    .map((language) => [language, labels[language]]);
}

// The scale's part of the canonical JSON, once per parsed scale: a survey has a handful of scales shared by
// thousands of items, and this part was most of the hash's cost. Parsed ASTs are not mutated (a new parse
// gives new objects), so the parsed object is the key.
const scaleJson = new WeakMap<Scale, string>();

function scalePart(scale: Scale): string {
  let json = scaleJson.get(scale);
  if (json === undefined) {
    json = JSON.stringify({
      min: scale.min,
      max: scale.max,
      kind: scale.kind,
      reversed: scale.reversed,
      options: scale.options.map((o) => [o.code, o.score, sortedLabels(o.labels)]),
      missing: scale.missing.map((m) => [m.code, sortedLabels(m.labels)]),
    });
    scaleJson.set(scale, json);
  }
  return json;
}

// One-shot hashing (Node ≥ 20.12) skips the Hash object; older Node 20 releases take the stream API.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** 16 hex digits of sha256 over a canonical JSON of texts, topics and scale options. */
export function itemHash(item: Item): string {
  const scale = item.scale;
  // The same bytes as JSON.stringify({ texts, topics, scale }) with the scale's part memoised.
  const scaleText = scale ? scalePart(scale) : item.scaleName ? JSON.stringify({ unresolved: item.scaleName.value }) : 'null';
  const canonical = `{"texts":${JSON.stringify(sortedTexts(item.texts))},"topics":${JSON.stringify(sortedTexts(item.topics))},"scale":${scaleText}}`;
  const hex = oneShot ? oneShot('sha256', canonical, 'hex') : crypto.createHash('sha256').update(canonical).digest('hex');
  return hex.slice(0, 16);
}
