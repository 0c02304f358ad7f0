import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CHART_IDS,
  EXPORT_IDS,
  LIMITS,
  STUDY_VIEW_IDS,
  UI_STRING_LIMITS,
  fillUiString,
  parseFilter,
  parsePanelState,
  parseStudyViewState,
  parseUiStrings,
  parseWebviewMessage,
} from '../../../src/shared/protocol';

const png = 'data:image/png;base64,iVBORw0KGgo=';

test('valid messages parse to fresh copies with the same content', () => {
  const valid = [
    { type: 'ready' },
    { type: 'setFilter', filter: {} },
    { type: 'setFilter', filter: { model: 'llama3.2:3b', template: 'default', method: 'sample' } },
    { type: 'exportCsv', chart: 'scatter' },
    { type: 'exportPng', chart: 'bias', dataUrl: png },
    { type: 'openItem', itemId: 'Q1' },
    { type: 'exportCsv', chart: 'study-contrasts' },
    { type: 'exportPng', chart: 'study-countries', dataUrl: png },
  ];
  for (const message of valid) {
    const parsed = parseWebviewMessage(message);
    assert.deepEqual(parsed, message);
    assert.notEqual(parsed, message, 'a copy, not the webview object itself');
  }
});

test('undefined filter keys mean "all"', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'setFilter', filter: { model: undefined, method: undefined } }), {
    type: 'setFilter',
    filter: {},
  });
});

test('rejects wrong types, extra keys, unknown filter keys, unknown charts and oversized strings', () => {
  const invalid: unknown[] = [
    undefined,
    null,
    0,
    'ready',
    [],
    [{ type: 'ready' }],
    { type: 'READY' },
    { type: 'ready', extra: 1 },
    { type: 'unknown' },
    { type: ['ready'] },
    { type: 'setFilter' },
    { type: 'setFilter', filter: null },
    { type: 'setFilter', filter: { model: 1 } },
    { type: 'setFilter', filter: { model: '' } },
    { type: 'setFilter', filter: { language: 'da' } },
    { type: 'setFilter', filter: { method: 'auto' } },
    { type: 'setFilter', filter: { model: 'x'.repeat(LIMITS.name + 1) } },
    { type: 'setFilter', filter: { model: 'a\nb' } },
    { type: 'setFilter', filter: [] },
    { type: 'exportCsv' },
    { type: 'exportCsv', chart: 'pie' },
    { type: 'exportCsv', chart: '../../etc/passwd' },
    { type: 'exportCsv', chart: 'scatter', path: '/tmp/x.csv' },
    { type: 'exportCsv', chart: 'study-' },
    { type: 'exportCsv', chart: 'study-models ' },
    { type: 'exportCsv', chart: 'STUDY-MODELS' },
    { type: 'study', analysis: {} },
    { type: 'exportPng', chart: 'scatter', dataUrl: 'https://evil.example/x.png' },
    { type: 'exportPng', chart: 'scatter', dataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' },
    { type: 'exportPng', chart: 'scatter', dataUrl: 'data:image/png;base64,<script>' },
    { type: 'exportPng', chart: 'scatter' },
    { type: 'openItem', itemId: 42 },
    { type: 'openItem', itemId: 'x'.repeat(LIMITS.name + 1) },
    { type: 'openItem' },
    Object.assign(Object.create({ inherited: true }), { type: 'ready' }),
    new Date(),
  ];
  for (const value of invalid) assert.equal(parseWebviewMessage(value), undefined, JSON.stringify(value) ?? String(value));
});

test('hostile objects (throwing getters, proxies) are rejected without throwing', () => {
  const getter = {
    get type(): string {
      throw new Error('boom');
    },
  };
  const proxy = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('trap');
      },
      get() {
        throw new Error('trap');
      },
    },
  );
  const protoTrap = new Proxy(
    {},
    {
      getPrototypeOf() {
        throw new Error('trap');
      },
    },
  );
  for (const value of [getter, proxy, protoTrap]) assert.equal(parseWebviewMessage(value), undefined);
});

test('1,000 fuzzed and mutated messages: never throw, only exact shapes accepted', () => {
  const validType = fc.constantFrom('ready', 'setFilter', 'exportCsv', 'exportPng', 'openItem');
  const mutated = fc.record(
    {
      type: fc.oneof(validType, fc.string(), fc.anything()),
      filter: fc.oneof(
        fc.anything(),
        fc.record({ model: fc.string(), template: fc.anything(), method: fc.string() }, { requiredKeys: [] }),
      ),
      chart: fc.oneof(
        fc.constantFrom(...CHART_IDS),
        fc.constantFrom(...STUDY_VIEW_IDS),
        fc.string(),
        fc.string().map((s) => `study-${s}`),
      ),
      dataUrl: fc.oneof(fc.string(), fc.constant(png)),
      itemId: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
      extra: fc.anything(),
    },
    { requiredKeys: ['type'] },
  );
  let accepted = 0;
  let studyExports = 0;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.anything(),
        mutated,
        fc.record({ type: fc.constantFrom('exportCsv', 'exportPng'), chart: fc.constantFrom(...STUDY_VIEW_IDS, 'study-x') }),
      ),
      (value) => {
        const parsed = parseWebviewMessage(value);
        if (parsed === undefined) return;
        accepted++;
        // Anything accepted round-trips through JSON unchanged: plain data of the declared shape only.
        assert.deepEqual(JSON.parse(JSON.stringify(parsed)), parsed);
        assert.ok(['ready', 'setFilter', 'exportCsv', 'exportPng', 'openItem'].includes(parsed.type));
        if (parsed.type === 'exportCsv' || parsed.type === 'exportPng') {
          assert.ok(EXPORT_IDS.includes(parsed.chart));
          if (parsed.chart.startsWith('study-')) studyExports++;
        }
      },
    ),
    { numRuns: 1000, seed: 20261125 },
  );
  assert.ok(accepted < 1000);
  assert.ok(studyExports > 0, "the fuzz reached the study views' export ids");
});

test("the study views' persisted choices: known values kept, anything else dropped key by key", () => {
  assert.deepEqual(
    parseStudyViewState({
      model: 'gpt-4o',
      language: 'da',
      level: 'response',
      measure: 'pro',
      statistic: 'spearman',
      reference: 'country',
      scheme: 'subregion',
      factor: 'model',
      attribute: 'chat',
    }),
    {
      model: 'gpt-4o',
      language: 'da',
      level: 'response',
      measure: 'pro',
      statistic: 'spearman',
      reference: 'country',
      scheme: 'subregion',
      factor: 'model',
      attribute: 'chat',
    },
  );
  assert.deepEqual(
    parseStudyViewState({
      model: '',
      level: 'sentence',
      statistic: 'kendall',
      factor: 1,
      extra: 'x',
      language: 'a\nb',
      attribute: 'x'.repeat(LIMITS.name + 1),
    }),
    {},
  );
  assert.deepEqual(parseStudyViewState(null), {});
  assert.deepEqual(parsePanelState({ filter: {}, study: { measure: 'mean', scheme: 'galaxy' } }), {
    filter: {},
    study: { measure: 'mean' },
  });
  assert.deepEqual(parsePanelState({ filter: {}, study: 'x' }), { filter: {} });
  const getter = {
    get study(): unknown {
      throw new Error('boom');
    },
  };
  assert.deepEqual(parsePanelState(getter), { filter: {} });
});

test('parseFilter and parsePanelState fall back to "all" for bad persisted state', () => {
  assert.deepEqual(parseFilter({ method: 'logprobs' }), { method: 'logprobs' });
  assert.deepEqual(parsePanelState(undefined), { filter: {} });
  assert.deepEqual(parsePanelState({ filter: { model: 7 }, focusModel: 'm' }), { filter: {}, focusModel: 'm' });
  assert.deepEqual(parsePanelState({ filter: { template: 't' }, focusModel: 3 }), { filter: { template: 't' } });
});

test('parseUiStrings keeps bounded string pairs only; fillUiString fills like vscode.l10n.t', () => {
  const table = parseUiStrings(
    JSON.parse(
      `{"__proto__":{"a":"b"},"Export CSV":"Eksportér CSV","n":1,"":"empty key","long":"${'x'.repeat(UI_STRING_LIMITS.length + 1)}","e":""}`,
    ),
  );
  assert.deepEqual({ ...table }, { 'Export CSV': 'Eksportér CSV' });
  assert.equal(Object.getPrototypeOf(table), null, 'a table lookup never reaches Object.prototype');
  assert.equal(table['toString' as string], undefined);
  for (const bad of [null, [], 'text', 3, new Date()]) assert.deepEqual({ ...parseUiStrings(bad) }, {});
  assert.equal(fillUiString('{0} of {1}, {question} stays, {9} stays', [3, 'ten']), '3 of ten, {question} stays, {9} stays');
});
