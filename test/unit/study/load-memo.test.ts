// loadStudy with a load memo (src/core/study/loadMemo.ts): a load from the memo has the diagnostics (codes,
// severities, texts, templates, ranges), the study and the parsed files of a load that parses; the files
// are parsed on first use only; changed bytes of any referenced file or another build is another memo; a
// torn, damaged or foreign memo is ignored (said why) and written again; a study with an error is never
// remembered; --fresh reads none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeMemoBody } from '../../../src/core/run/planMemo';
import { loadStudy, nodeStudyFs } from '../../../src/core/study/load';
import { studyLoadMemo } from '../../../src/core/study/loadMemo';
import type { LoadedStudy } from '../../../src/core/study/types';

const examples = resolve(__dirname, '../../../examples');

/** Everything a load gives, read through the getters (a memo's files are parsed here). */
function contents(loaded: LoadedStudy): unknown {
  return {
    study: loaded.study,
    diagnostics: loaded.diagnostics,
    surveys: loaded.surveys.map((s) => ({ path: s.path, file: s.file })),
    templates: loaded.templates.map((t) => ({ path: t.path, file: t.file })),
    human: loaded.human.rows,
  };
}

test('a load from its memo equals a parsing load, files parsed on use; other bytes or builds, another memo; torn, foreign or fresh: not used', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-load-memo-'));
  try {
    const items = join(dir, 'items.wvs');
    const templates = join(dir, 'prompts.wvt');
    const human = join(dir, 'human.csv');
    copyFileSync(join(examples, 'wvs7-sample.wvs'), items);
    copyFileSync(join(examples, 'prompts.wvt'), templates);
    // One row the reader rejects: a human-data warning with the file's line.
    writeFileSync(human, `${readFileSync(join(examples, 'human-reference.csv'), 'utf8').trimEnd()}\nDK,D059,not-a-number,da\n`);
    const path = join(dir, 's.study.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 's',
        items: [{ file: items, ids: ['Q1', 'Q2', 'Q3'] }],
        templates: [{ file: templates, names: ['direct'] }],
        languages: ['en', 'da', 'zz'],
        languageCountries: { en: ['US'], da: ['DK', 'SE'], zz: ['US'] },
        models: [{ id: 'm', provider: 'ollama', model: 'fake-llm' }],
        method: 'logprobs',
        human: [{ file: human }],
        analysis: { references: ['language'] },
      }),
    );
    const cache = join(dir, 'cache');
    const plain = await loadStudy(path);
    assert.ok(plain.study, JSON.stringify(plain.diagnostics));
    const codes = new Set(plain.diagnostics.map((d) => d.code));
    for (const code of ['study/missing-translation', 'study/human-data', 'study/country-not-in-human'])
      assert.ok(codes.has(code), `a ${code} warning (${[...codes].join(', ')})`);
    assert.ok(plain.diagnostics.every((d) => d.text && d.range.end >= d.range.start));

    const first = studyLoadMemo(cache, 'build-1');
    const written = await loadStudy(path, nodeStudyFs, { memo: first });
    assert.deepEqual(
      { used: first.outcome.used, written: first.outcome.written, ignored: first.outcome.ignored },
      { used: false, written: true, ignored: undefined },
    );
    assert.deepEqual(contents(written), contents(plain));
    const file = first.outcome.file!;
    const good = readFileSync(file);

    const second = studyLoadMemo(cache, 'build-1');
    const fromMemo = await loadStudy(path, nodeStudyFs, { memo: second });
    assert.deepEqual(
      { used: second.outcome.used, written: second.outcome.written, file: second.outcome.file },
      { used: true, written: false, file },
    );
    // Not parsed yet: each file is parsed when first read, and is then what a parsing load gives.
    assert.equal(typeof Object.getOwnPropertyDescriptor(fromMemo.surveys[0], 'file')?.get, 'function');
    assert.equal(typeof Object.getOwnPropertyDescriptor(fromMemo.human, 'rows')?.get, 'function');
    assert.deepEqual(fromMemo.diagnostics, plain.diagnostics);
    assert.deepEqual(contents(fromMemo), contents(plain));
    assert.equal(fromMemo.surveys[0].file, fromMemo.surveys[0].file, 'parsed once');

    // Another build, then one more byte in the human file (referenced, not parsed for the plan): other memos.
    const other = studyLoadMemo(cache, 'build-2');
    await loadStudy(path, nodeStudyFs, { memo: other });
    assert.equal(other.outcome.used, false);
    assert.notEqual(other.outcome.file, file);
    appendFileSync(human, '\n');
    const changed = studyLoadMemo(cache, 'build-1');
    const afterChange = await loadStudy(path, nodeStudyFs, { memo: changed });
    assert.equal(changed.outcome.used, false);
    assert.ok(changed.outcome.written && changed.outcome.file !== file);
    assert.deepEqual(afterChange.diagnostics, (await loadStudy(path)).diagnostics);
    writeFileSync(human, readFileSync(human, 'utf8').slice(0, -1));

    // Torn, damaged, then intact but not ours (it holds an error): ignored with the reason, the parsing
    // load's diagnostics, and the intact memo written in its place.
    for (const [label, bytes, reason] of [
      ['torn', good.subarray(0, good.length - 5), /^torn/],
      ['damaged', Buffer.from(good).fill(0x20, good.length - 20, good.length - 10), /^damaged/],
    ] as const) {
      writeFileSync(file, bytes);
      const store = studyLoadMemo(cache, 'build-1');
      const loaded = await loadStudy(path, nodeStudyFs, { memo: store });
      assert.match(store.outcome.ignored ?? '', reason, label);
      assert.equal(store.outcome.used, false, label);
      assert.deepEqual(contents(loaded), contents(plain), label);
      assert.deepEqual(readFileSync(file), good, `${label}: rewritten`);
    }
    await writeMemoBody(file, 'VLS1', { diagnostics: [{ ...plain.diagnostics[0], severity: 'error' }] });
    const foreign = studyLoadMemo(cache, 'build-1');
    assert.deepEqual((await loadStudy(path, nodeStudyFs, { memo: foreign })).diagnostics, plain.diagnostics);
    assert.deepEqual({ used: foreign.outcome.used, ignored: foreign.outcome.ignored }, { used: false, ignored: 'not a study load memo' });
    assert.deepEqual(readFileSync(file), good);

    // Fresh: the memo is not read, and is written.
    const fresh = studyLoadMemo(cache, 'build-1', { fresh: true });
    await loadStudy(path, nodeStudyFs, { memo: fresh });
    assert.deepEqual({ used: fresh.outcome.used, written: fresh.outcome.written }, { used: false, written: true });

    // A study with an error: never remembered, however often it is loaded.
    const bad = join(dir, 'bad.study.json');
    writeFileSync(bad, readFileSync(path, 'utf8').replace('"Q3"', '"Q999"'));
    const before = readdirSync(join(cache, 'studies')).length;
    for (let round = 0; round < 2; round++) {
      const store = studyLoadMemo(cache, 'build-1');
      const loaded = await loadStudy(bad, nodeStudyFs, { memo: store });
      assert.equal(loaded.study, undefined);
      assert.ok(loaded.diagnostics.some((d) => d.code === 'study/unknown-item' && d.severity === 'error'));
      assert.deepEqual(loaded.diagnostics, (await loadStudy(bad)).diagnostics);
      assert.deepEqual({ used: store.outcome.used, written: store.outcome.written }, { used: false, written: false });
      assert.equal(existsSync(store.outcome.file!), false);
    }
    assert.equal(readdirSync(join(cache, 'studies')).length, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
