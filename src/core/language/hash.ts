// A stable fingerprint of what a model sees of an item: wording, topics and the scale's options. Results
// carry it so that editing the wording marks older results stale. Ids, titles, notes, categories and the
// `[mt]` flag are left out: they do not change the prompt.
import { createHash } from 'node:crypto';
import type { Item, TextEntry } from './ast';

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

/** 16 hex digits of sha256 over a canonical JSON of texts, topics and scale options. */
export function itemHash(item: Item): string {
  const scale = item.scale;
  const canonical = {
    texts: sortedTexts(item.texts),
    topics: sortedTexts(item.topics),
    scale: scale
      ? {
          min: scale.min,
          max: scale.max,
          kind: scale.kind,
          reversed: scale.reversed,
          options: scale.options.map((o) => [o.code, o.score, sortedLabels(o.labels)]),
          missing: scale.missing.map((m) => [m.code, sortedLabels(m.labels)]),
        }
      : item.scaleName
        ? { unresolved: item.scaleName.value }
        : null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}
