// valueLens.humanData is the one source of truth (issue 19: a path kept in workspaceState used to win over
// the setting, which was read only at activation): the Load command writes the setting, a change of the
// setting or of the file reloads, a deleted file unloads, and an earlier version's stored path is moved.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Uri, fileWatchers, fireConfiguration, installFakeVscode, state } from './fake-vscode';
import { createMemoryLogger } from '../../../src/core/log';

installFakeVscode();
const fake = require('./fake-vscode') as typeof import('./fake-vscode');
const { AnalysisSources } = require('../../../src/editor/analysisSources') as typeof import('../../../src/editor/analysisSources');
const { registerHumanData, LEGACY_HUMAN_DATA_STATE_KEY } =
  require('../../../src/editor/humanData') as typeof import('../../../src/editor/humanData');

const ws = mkdtempSync(join(tmpdir(), 'vl-human-'));
const CSV = readFileSync('examples/human-reference.csv', 'utf8');
const rowsOf = (text: string): number => text.trim().split('\n').length - 1;

function memento(initial: Record<string, unknown> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    get: <T>(k: string) => data.get(k) as T | undefined,
    update: async (k: string, v: unknown) => void (v === undefined ? data.delete(k) : data.set(k, v)),
    data,
  };
}

const settle = () => new Promise((r) => setTimeout(r, 30));
/** Polls until `ready` holds (loads are asynchronous; the machine is shared): at most 3 s. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ready(); i++) await new Promise((r) => setTimeout(r, 10));
}

beforeEach(() => {
  state.reset();
  fileWatchers.length = 0;
  fake.workspace.workspaceFolders = [{ uri: Uri.file(ws) }];
  writeFileSync(join(ws, 'a.csv'), CSV);
  writeFileSync(join(ws, 'b.csv'), CSV.split('\n').slice(0, 11).join('\n') + '\n');
});

test('the setting wins over a path an earlier version kept in workspaceState, which is dropped', async () => {
  state.settings['valueLens.humanData'] = { workspaceValue: 'b.csv' };
  const sources = new AnalysisSources(join(ws, 'legacy'), createMemoryLogger());
  const store = memento({ [LEGACY_HUMAN_DATA_STATE_KEY]: join(ws, 'a.csv') });
  const human = registerHumanData({ sources, logger: createMemoryLogger(), workspaceState: store });
  try {
    await until(() => human.path !== undefined);
    assert.equal(human.path, join(ws, 'b.csv'));
    assert.equal(sources.humanReference().rows.length > 0, true);
    assert.equal(store.data.has(LEGACY_HUMAN_DATA_STATE_KEY), false);
  } finally {
    human.dispose();
  }
});

test('an earlier stored path with no setting becomes the workspace setting (relative to the folder)', async () => {
  const sources = new AnalysisSources(join(ws, 'legacy'), createMemoryLogger());
  const store = memento({ [LEGACY_HUMAN_DATA_STATE_KEY]: join(ws, 'a.csv') });
  const human = registerHumanData({ sources, logger: createMemoryLogger(), workspaceState: store });
  try {
    await until(() => human.path !== undefined);
    assert.equal(state.settings['valueLens.humanData']?.workspaceValue, 'a.csv');
    assert.equal(human.path, join(ws, 'a.csv'));
  } finally {
    human.dispose();
  }
});

test('changing the setting reloads; a change of the file reloads; deleting it unloads', async () => {
  state.settings['valueLens.humanData'] = { workspaceValue: 'a.csv' };
  const sources = new AnalysisSources(join(ws, 'legacy'), createMemoryLogger());
  let changes = 0;
  const human = registerHumanData({ sources, logger: createMemoryLogger(), workspaceState: memento(), onChange: () => void changes++ });
  try {
    await until(() => human.path !== undefined);
    const full = sources.humanReference().rows.length;
    assert.ok(full > 50);
    // The setting changes (as from the Settings editor): no reload of the window needed.
    state.settings['valueLens.humanData'] = { workspaceValue: 'b.csv' };
    fireConfiguration('valueLens.humanData');
    await until(() => human.path === join(ws, 'b.csv'));
    assert.equal(human.path, join(ws, 'b.csv'));
    const small = sources.humanReference().rows.length;
    assert.ok(small < full && small > 0, `${small} vs ${full}`);
    // The file is edited on disk: its watcher reloads it.
    const watcher = fileWatchers.filter((w) => !w.disposed).at(-1)!;
    assert.equal(watcher.pattern.pattern, 'b.csv');
    copyFileSync(join(ws, 'a.csv'), join(ws, 'b.csv'));
    watcher.change.fire(Uri.file(join(ws, 'b.csv')));
    await until(() => sources.humanReference().rows.length === full);
    assert.equal(sources.humanReference().rows.length, full);
    watcher.delete.fire(Uri.file(join(ws, 'b.csv')));
    assert.equal(sources.hasHuman(), false);
    assert.ok(changes >= 3);
    // Emptied setting: nothing loaded, no watcher left.
    state.settings['valueLens.humanData'] = { workspaceValue: '' };
    fireConfiguration('valueLens.humanData');
    await settle();
    await until(() => human.path === undefined);
    assert.equal(human.path, undefined);
    assert.ok(fileWatchers.every((w) => w.disposed));
  } finally {
    human.dispose();
  }
});

test('Load Human Reference Data… writes the workspace setting and loads once, with a message', async () => {
  const sources = new AnalysisSources(join(ws, 'legacy'), createMemoryLogger());
  const loads: string[] = [];
  const load = sources.loadHuman.bind(sources);
  sources.loadHuman = async (path: string) => (loads.push(path), load(path));
  const store = memento();
  const human = registerHumanData({ sources, logger: createMemoryLogger(), workspaceState: store });
  try {
    await settle();
    state.openDialog = [Uri.file(join(ws, 'a.csv'))];
    await human.choose();
    await settle();
    await settle();
    assert.equal(state.settings['valueLens.humanData']?.workspaceValue, 'a.csv');
    assert.deepEqual(loads, [join(ws, 'a.csv')]);
    assert.ok(
      state.messages.some(
        (m) =>
          m.level === 'info' &&
          new RegExp(`loaded ${rowsOf(CSV) > 0 ? sources.humanReference().rows.length : 0} human reference rows`).test(m.text),
      ),
      JSON.stringify(state.messages),
    );
    assert.equal(store.data.size, 0, 'nothing kept in workspaceState');
  } finally {
    human.dispose();
    rmSync(join(ws, 'legacy'), { recursive: true, force: true });
  }
});
