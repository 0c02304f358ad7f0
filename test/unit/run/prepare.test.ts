// prepareRun: THE defaults, the persisted probe verdict, the digest in the key, and the property the lens
// and the CLI rely on: the settings the editor derives and the flags the CLI derives for the same condition
// give the same cache keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import type { InspectResult } from '../../../src/core/security/endpointSettings';
import {
  DEFAULT_FIRST_REQUEST_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  choicesFromSettings,
  findInstalledModel,
  implicitStudyName,
  methodDefaults,
  prepareRun,
  probeRecordKey,
  readProbeVerdict,
  resolveChoices,
  type PrepareInput,
  type RunChoices,
} from '../../../src/core/run/prepare';
import { parseFlags } from '../../../src/cli/args';
import { SCORE_OPTIONS, resolveScoreSettings, scoreChoices } from '../../../src/cli/score';

const survey = parseSurvey(readFileSync('examples/wvs7-sample.wvs', 'utf8'));
const templates = parseTemplates(readFileSync('examples/prompts.wvt', 'utf8'));
const ENDPOINT = 'http://127.0.0.1:11434';
const MODEL = 'fake-llm:latest';

// The editor's settings as VS Code reports them: package.json defaults, plus what the user set.
const PACKAGE_DEFAULTS: Record<string, unknown> = {
  method: 'auto',
  samples: 20,
  temperature: 1,
  timeoutSeconds: 60,
  firstRequestTimeoutSeconds: 300,
};
function editorChoices(user: Record<string, unknown> = {}): RunChoices {
  return choicesFromSettings((key): InspectResult => ({ defaultValue: PACKAGE_DEFAULTS[key], globalValue: user[key] }));
}
function cliChoices(flags: string[] = []): RunChoices {
  const parsed = parseFlags('score', ['items.wvs', '--template', 'prompts.wvt', ...flags], SCORE_OPTIONS);
  return scoreChoices(resolveScoreSettings(parsed, {}, { cwd: '/tmp', env: {}, stdout: process.stdout, stderr: process.stderr }));
}

function prepare(choices: RunChoices, extra: Partial<PrepareInput> = {}) {
  return prepareRun({
    survey,
    templates,
    template: 'country',
    itemIds: ['Q1', 'Q29'],
    paraphrases: 'none',
    model: { provider: 'ollama', endpoint: ENDPOINT, model: MODEL, digest: 'sha256:' + '1'.repeat(64) },
    choices,
    probe: async () => true,
    ...extra,
  });
}

test('THE defaults: logprobs at temperature 0, sampling at 1 with 10 samples; 60 s per attempt, 180 s until the first answer', () => {
  assert.deepEqual(methodDefaults('logprobs'), { temperature: 0, samples: 1, maxTokens: 1, topLogprobs: 20 });
  assert.deepEqual(methodDefaults('sample'), { temperature: 1, samples: 10, maxTokens: 16 });
  assert.equal(DEFAULT_TIMEOUT_MS, 60_000);
  assert.equal(DEFAULT_FIRST_REQUEST_TIMEOUT_MS, 180_000);
  assert.deepEqual(resolveChoices('sample', {}), {
    method: 'sample',
    samples: 10,
    temperature: 1,
    seed: 0,
    timeoutMs: 60_000,
    firstRequestTimeoutMs: 180_000,
  });
  // The first-request allowance is never shorter than the per-attempt timeout.
  assert.equal(resolveChoices('logprobs', { timeoutMs: 200_000, firstRequestTimeoutMs: 1000 }).firstRequestTimeoutMs, 200_000);
  assert.equal(resolveChoices('logprobs', { samples: 30 }).samples, 1);
});

test('the editor reads only settings the user set; package.json defaults do not count', () => {
  assert.deepEqual(editorChoices(), {});
  assert.deepEqual(editorChoices({ method: 'sample', samples: 5.4, temperature: 9, timeoutSeconds: 30, firstRequestTimeoutSeconds: 600 }), {
    method: 'sample',
    samples: 5,
    temperature: 2,
    timeoutMs: 30_000,
    firstRequestTimeoutMs: 600_000,
  });
  assert.deepEqual(choicesFromSettings(() => ({ defaultValue: 3, workspaceValue: 4, globalValue: 5 })).samples, 4);
});

test('the same condition from editor settings and from CLI flags: identical cache keys and runner options', async () => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{}, []],
    [{ method: 'logprobs' }, ['--method', 'logprobs']],
    [{ method: 'sample' }, ['--method', 'sample']],
    [{ method: 'sample', samples: 4, temperature: 0.7 }, ['--method', 'sample', '--samples', '4', '--temperature', '0.7']],
    [{ timeoutSeconds: 30 }, ['--timeout', '30']],
  ];
  for (const [settings, flags] of cases) {
    const editor = await prepare(editorChoices(settings));
    const cli = await prepare(cliChoices(flags));
    assert.ok(editor.plan.length > 0 && editor.plan.every((r) => !r.skip), JSON.stringify(editor.plan.find((r) => r.skip)?.skip));
    assert.deepEqual(
      editor.plan.map((r) => r.cacheKey),
      cli.plan.map((r) => r.cacheKey),
      JSON.stringify(flags),
    );
    assert.deepEqual(editor.runOptions, cli.runOptions);
    assert.deepEqual(editor.choices, cli.choices);
  }
  // What the editor used to do (temperature 1 for logprobs) is another key: the comparison above can fail.
  const before = await prepare({ method: 'logprobs', temperature: 1 });
  const now = await prepare(editorChoices({ method: 'logprobs' }));
  assert.notDeepEqual(
    before.plan.map((r) => r.cacheKey),
    now.plan.map((r) => r.cacheKey),
  );
  // The {country} slot is filled the same way on both sides (first country of the language), not a failure.
  const da = now.plan.find((r) => r.identity.language === 'da')!;
  assert.equal(da.identity.country, 'DK');
  assert.match(da.messages[0].content, /Danmark/);
});

test('auto: the probe verdict is recorded in <cacheDir>/probes.json per origin, model and digest, and reused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-prepare-'));
  try {
    let probes = 0;
    const probe = async () => (probes++, false);
    const first = await prepare({}, { cacheDir: dir, probe });
    assert.deepEqual([first.method, first.methodFrom, probes], ['sample', 'probe', 1]);
    assert.equal(first.plan[0].params.n, 10);
    const file = JSON.parse(readFileSync(join(dir, 'probes.json'), 'utf8')) as Record<string, boolean>;
    assert.deepEqual(file, { [`${ENDPOINT} ${MODEL} sha256:${'1'.repeat(64)}`]: false });
    const second = await prepare({}, { cacheDir: dir, probe });
    assert.deepEqual([second.method, second.methodFrom, probes], ['sample', 'recorded', 1]);
    assert.deepEqual(
      second.plan.map((r) => r.cacheKey),
      first.plan.map((r) => r.cacheKey),
    );
    // --fresh asks again; a new digest (re-pulled model) asks again; an explicit method does not ask.
    await prepare({}, { cacheDir: dir, probe, fresh: true });
    assert.equal(probes, 2);
    await prepare(
      {},
      { cacheDir: dir, probe, model: { provider: 'ollama', endpoint: `${ENDPOINT}/`, model: MODEL, digest: 'sha256:' + '2'.repeat(64) } },
    );
    assert.equal(probes, 3);
    assert.equal(await readProbeVerdict(dir, { endpoint: ENDPOINT, model: MODEL, digest: 'sha256:' + '2'.repeat(64) }), false);
    await prepare({ method: 'logprobs' }, { cacheDir: dir, probe });
    assert.equal(probes, 3);
    // A damaged file is probed again, not fatal; without cacheDir nothing is read or written.
    writeFileSync(join(dir, 'probes.json'), '{not json');
    assert.equal((await prepare({}, { cacheDir: dir, probe })).methodFrom, 'probe');
    assert.equal((await prepare({}, { probe })).methodFrom, 'probe');
    assert.equal(probes, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the probe gets the first-request allowance and the run signal; its errors propagate', async () => {
  let seen = 0;
  await prepare({ firstRequestTimeoutMs: 250_000 }, { probe: async (signal, ms) => ((seen = ms), !signal.aborted) });
  assert.equal(seen, 250_000);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    prepare(
      {},
      { signal: controller.signal, probe: async (signal) => Promise.reject(new Error(signal.aborted ? 'aborted probe' : 'not aborted')) },
    ),
    /aborted probe/,
  );
});

test('the digest goes into every cache key and record when known; a failed look-up leaves it out', async () => {
  const model = { provider: 'ollama' as const, endpoint: ENDPOINT, model: MODEL };
  const looked = await prepare({ method: 'logprobs' }, { model, resolveDigest: async () => 'sha256:abc' });
  const none = await prepare({ method: 'logprobs' }, { model });
  const failed = await prepare({ method: 'logprobs' }, { model, resolveDigest: () => Promise.reject(new Error('down')) });
  assert.equal(looked.digest, 'sha256:abc');
  assert.ok(looked.plan.every((r) => r.identity.digest === 'sha256:abc' && r.digest === 'sha256:abc'));
  assert.ok(looked.plan.every((r, i) => r.cacheKey !== none.plan[i].cacheKey));
  assert.deepEqual(
    failed.plan.map((r) => r.cacheKey),
    none.plan.map((r) => r.cacheKey),
  );
  assert.ok(none.plan.every((r) => r.identity.digest === undefined));
});

test('helpers: installed model matching, implicit study names, probe keys', () => {
  const models = [
    { name: 'fake-llm:latest', digest: 'sha256:1' },
    { name: 'qwen:0.5b', digest: 'sha256:2' },
  ];
  assert.equal(findInstalledModel(models, 'fake-llm')?.digest, 'sha256:1');
  assert.equal(findInstalledModel(models, 'qwen:0.5b')?.digest, 'sha256:2');
  assert.equal(findInstalledModel(models, 'qwen'), undefined);
  assert.equal(implicitStudyName('/ws/a/wvs7-sample.wvs'), 'wvs7-sample');
  assert.equal(implicitStudyName('C:\\ws\\items.wvs'), 'items');
  assert.equal(probeRecordKey({ endpoint: 'http://127.0.0.1:1234/v1?x=1', model: 'm' }), 'http://127.0.0.1:1234 m ');
});
