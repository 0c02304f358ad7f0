// Writes a narrowed copy of an example study into the e2e workspace: the same design (country cues, a chat
// and a base model entry, the synthetic human data), fewer conditions (2 items × 3 cues × 2 models = 12
// requests) and every model served by the loopback fake at FAKE_URL, so Run Study finishes in seconds.
// Usage: node make-study.mjs examples/kim-baek-2024.study.json WORKSPACE FAKE_URL
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const [source, workspace, fakeUrl] = process.argv.slice(2);
if (!source || !workspace || !fakeUrl) throw new Error('usage: make-study.mjs STUDY WORKSPACE FAKE_URL');
const study = JSON.parse(readFileSync(source, 'utf8'));
const chat = study.models.find((m) => m.kind !== 'base');
const base = study.models.find((m) => m.kind === 'base');
study.items = study.items.map((i) => ({ ...i, ids: ['Q182', 'Q1'] }));
study.countries = ['US', 'SE', 'JP'];
study.endpoints = { local: fakeUrl };
study.models = [chat, base].filter(Boolean).map((m) => ({ ...m, model: 'fake-llm:latest', endpoint: 'local' }));
for (const h of study.human ?? []) copyFileSync(join(dirname(source), h.file), join(workspace, basename(h.file)));
writeFileSync(join(workspace, basename(source)), `${JSON.stringify(study, null, 2)}\n`);
