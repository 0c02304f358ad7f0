// Issue 19: the data tables' column headers in the display language (webview/columns.ts). The headers come
// from calling every table builder of src/shared (panel charts, the inconsistent-items list, every study
// view with and without a state), not from reading their source: each one needs a display text, and each
// text that is not a symbol a translation in every project locale. The headers themselves stay English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { StudyAnalysis } from '../../../src/core/study/analysisTypes';
import { CHART_IDS, STUDY_VIEW_IDS } from '../../../src/shared/protocol';
import { studyTable } from '../../../src/shared/study-tables';
import { chartTable, inconsistentItems, type Table } from '../../../src/shared/tables';
import { SYMBOL_HEADERS, columnLabels, columnTexts } from '../../../webview/columns';
import { loadUiStrings } from '../../../webview/l10n';
import { makeReport } from '../../webview/fixture-report';

const LOCALES = ['da', 'nl', 'pt-br'] as const;
const readBundle = (name: string): Record<string, string> => JSON.parse(readFileSync(`l10n/${name}`, 'utf8')) as Record<string, string>;
const studyFixture = (): StudyAnalysis =>
  JSON.parse(readFileSync('test/fixtures/study-analysis/study-analysis.json', 'utf8')) as StudyAnalysis;

/** Every table the src/shared builders make, by name. */
function builtTables(): Map<string, Table> {
  const report = makeReport();
  const analysis = studyFixture();
  const tables = new Map<string, Table>();
  for (const id of CHART_IDS) tables.set(`chartTable ${id}`, chartTable(report, id));
  tables.set('inconsistentItems', inconsistentItems(report));
  for (const id of STUDY_VIEW_IDS) {
    tables.set(`studyTable ${id} (export)`, studyTable(analysis, id));
    tables.set(`studyTable ${id} (view)`, studyTable(analysis, id, {}));
  }
  return tables;
}

const allHeaders = (): string[] => [...new Set([...builtTables().values()].flatMap((table) => table.headers))];

/** Loads a bundle the way the webview does, from #vl-root[data-l10n] (undefined: English). */
const useBundle = (strings: Record<string, string> | undefined) =>
  loadUiStrings({ getAttribute: () => JSON.stringify(strings ?? {}) } as unknown as Element);

test('every builder of src/shared makes a table with headers, and the panel and study views are all among them', () => {
  const tables = builtTables();
  assert.equal(tables.size, CHART_IDS.length + 1 + 2 * STUDY_VIEW_IDS.length);
  for (const [name, table] of tables) assert.ok(table.headers.length >= 5, `${name} has headers`);
  assert.ok(allHeaders().length >= 80, `${allHeaders().length} distinct headers`);
});

test('every header has a display text; in English it is the header itself (the t() literal matches it)', () => {
  useBundle(undefined);
  const texts = columnTexts();
  const missing = allHeaders().filter((h) => !texts.has(h));
  assert.deepEqual(missing, [], 'headers without an entry in webview/columns.ts');
  const mismatched = [...texts].filter(([header, text]) => header !== text);
  assert.deepEqual(mismatched, [], 'an entry whose t() literal differs from its header');
  const stale = [...texts.keys()].filter((h) => !allHeaders().includes(h));
  assert.deepEqual(stale, [], 'entries for headers no table builder has any more');
});

test('every header that is not a symbol has its English key and a Danish, Dutch and Portuguese translation', () => {
  const english = readBundle('bundle.l10n.json');
  const words = allHeaders().filter((h) => !SYMBOL_HEADERS.includes(h));
  assert.deepEqual(
    words.filter((h) => !(h in english)),
    [],
    'keys missing from l10n/bundle.l10n.json',
  );
  for (const locale of LOCALES) {
    const translated = readBundle(`bundle.l10n.${locale}.json`);
    assert.deepEqual(
      words.filter((h) => !translated[h]?.trim()),
      [],
      `translations missing from bundle.l10n.${locale}.json`,
    );
  }
  // Symbols stay as they are, so they need no key.
  assert.ok(['p', 'n', 't', 'Pearson r', 'Spearman ρ', 'r p (Holm)'].every((h) => SYMBOL_HEADERS.includes(h)));
  assert.ok(!SYMBOL_HEADERS.includes('CI low'), '"CI low" is words, translated');
});

test('with the Danish bundle the labels are Danish, symbols unchanged, an unknown header as is; the table keeps English', () => {
  const danish = readBundle('bundle.l10n.da.json');
  try {
    useBundle(danish);
    for (const [name, table] of builtTables()) {
      const before = [...table.headers];
      const labels = columnLabels(table.headers);
      assert.deepEqual(
        labels,
        before.map((h) => (SYMBOL_HEADERS.includes(h) ? h : danish[h])),
        name,
      );
      assert.deepEqual(table.headers, before, `${name}: the headers themselves are not changed`);
    }
    assert.deepEqual(columnLabels(['Country', 'CI low', 'Spearman ρ', 'p (Holm)']), ['Land', 'Nedre KI', 'Spearman ρ', 'p (Holm)']);
    assert.deepEqual(columnLabels(['A new column', 'Model']), ['A new column', 'Model'], 'a header without a mapping shows as is');
  } finally {
    useBundle(undefined);
  }
  assert.deepEqual(columnLabels(['Country', 'CI low']), ['Country', 'CI low']);
});
