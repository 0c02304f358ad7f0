// Writes examples/human-countries-synthetic.csv: a SYNTHETIC per-country human reference for the first
// seed's example study (kim-baek-2024.study.json). NOT real WVS figures: a deterministic stand-in so that the
// example's 24 cue countries each have a mean per item. Run: node examples/human-countries-synthetic.mjs
//
// Rule: mean = min + (max − min) · clamp(0.5 + 0.3·z_country·loading_item + 0.12·e, 0.03, 0.97), where
// z_country is a fixed "traditional (−1) … secular (+1)" position, loading_item ∈ {−1, 0.5, 1} by item, and e
// is a uniform(−1, 1) draw from mulberry32 seeded with FNV-1a of "country|key". n = 1000 + 40·(FNV mod 50).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wvs = readFileSync(join(here, 'wvs7-sample.wvs'), 'utf8');

const scales = new Map([...wvs.matchAll(/^scale (\S+) (\d+)\.\.(\d+)/gm)].map((m) => [m[1], [Number(m[2]), Number(m[3])]]));
const items = [...wvs.matchAll(/^item (\S+)[^\n]*\n((?: [^\n]*\n?)*)/gm)].map((m) => ({
  id: m[1],
  scale: /^ {2}scale: (\S+)/m.exec(m[2])?.[1],
  key: /^ {2}key: (\S+)/m.exec(m[2])?.[1],
}));

// Fixed positions, not survey results: only their spread matters for the example.
const countries = {
  SE: 1,
  DK: 0.95,
  NL: 0.9,
  DE: 0.8,
  GB: 0.7,
  FR: 0.7,
  AU: 0.65,
  JP: 0.6,
  ES: 0.55,
  US: 0.4,
  IT: 0.35,
  KR: 0.3,
  PL: 0,
  AR: 0,
  BR: -0.1,
  MX: -0.2,
  RU: -0.25,
  CN: -0.3,
  TR: -0.5,
  IN: -0.6,
  ID: -0.75,
  KE: -0.8,
  NG: -0.9,
  EG: -1,
};
// +1: code rises with secular values (justifiable 1..10); −1: falls (agree 1..4, importance 1..4); else 0.5.
const loading = (scale) => (scale === 'justifiable' ? 1 : scale === 'agree' || scale === 'importance' ? -1 : 0.5);

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lines = ['country,item,mean,n,source'];
for (const [country, z] of Object.entries(countries)) {
  for (const it of items) {
    if (!it.key || !scales.has(it.scale)) continue;
    const [min, max] = scales.get(it.scale);
    const h = fnv1a(`${country}|${it.key}`);
    const e = mulberry32(h)() * 2 - 1;
    const u = Math.min(0.97, Math.max(0.03, 0.5 + 0.3 * z * loading(it.scale) + 0.12 * e));
    lines.push(`${country},${it.key},${(min + (max - min) * u).toFixed(3)},${1000 + 40 * (h % 50)},SYNTHETIC`);
  }
}
writeFileSync(join(here, 'human-countries-synthetic.csv'), lines.join('\n') + '\n');
console.log(`${lines.length - 1} rows, ${Object.keys(countries).length} countries, ${items.length} items`);
