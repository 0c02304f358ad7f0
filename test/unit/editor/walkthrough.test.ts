// Issue 19: the Get Started walkthrough. Its steps have media that ship and completion events on declared
// commands; Open Example Study copies the bundled example into the picked workspace folder (the second of
// two, not the first), keeps files already there, and the copied study parses and loads with every file it
// names present; without a folder the items file opens from the extension.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Uri, state, workspace } from './fake-vscode';
import { installMoreFakes, more } from './fake-vscode-more';
import { loadStudy } from '../../../src/core/study/load';

installMoreFakes();
const { openExampleStudy, EXAMPLE_FILES, EXAMPLE_FOLDER } =
  require('../../../src/editor/walkthrough') as typeof import('../../../src/editor/walkthrough');

interface Step {
  id: string;
  media: { markdown?: string };
  completionEvents: string[];
  description: string;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  contributes: { walkthroughs: { id: string; steps: Step[] }[]; commands: { command: string }[] };
};

let root: string;
before(() => (root = mkdtempSync(join(tmpdir(), 'vl-walk-'))));
after(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  state.reset();
  more.reset();
});

test('the walkthrough: model, example, score, panel, human data; media ship; events and buttons name declared commands', () => {
  const [walk] = pkg.contributes.walkthroughs;
  assert.deepEqual(
    walk!.steps.map((s) => s.id),
    ['model', 'example', 'score', 'panel', 'human'],
  );
  const declared = new Set(pkg.contributes.commands.map((c) => c.command));
  const ignore = readFileSync('.vscodeignore', 'utf8');
  assert.match(ignore, /^!media\/walkthrough\/\*\.md$/m);
  for (const step of walk!.steps) {
    assert.ok(step.media.markdown && existsSync(step.media.markdown), step.id);
    assert.match(step.media.markdown, /^media\/walkthrough\/[a-z]+\.md$/);
    assert.ok(step.completionEvents.length > 0, step.id);
    for (const e of step.completionEvents) assert.ok(declared.has(e.replace(/^onCommand:/, '')), e);
    for (const [, command] of step.description.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(declared.has(command!), command);
  }
  // Every file the example study needs ships (examples/ is in the VSIX allow-list).
  for (const name of EXAMPLE_FILES) assert.ok(existsSync(join('examples', name)), name);
  assert.match(ignore, /^!examples\/\*\.study\.json$/m);
});

test('Open Example Study copies into the picked folder, keeps existing files, and the study loads', async () => {
  const a = join(root, 'a');
  const b = join(root, 'b');
  mkdirSync(a);
  mkdirSync(join(b, EXAMPLE_FOLDER), { recursive: true });
  writeFileSync(join(b, EXAMPLE_FOLDER, 'prompts.wvt'), '# my own edits\n');
  (workspace as { workspaceFolders: unknown }).workspaceFolders = [
    { uri: Uri.file(a), name: 'a', index: 0 },
    { uri: Uri.file(b), name: 'b', index: 1 },
  ];
  state.quickPickChoice = (item) => (item as { label: string }).label === 'b';
  const out = await openExampleStudy(Uri.file(resolve('.')) as never);
  assert.ok(out);
  assert.deepEqual(out.kept, ['prompts.wvt']);
  assert.deepEqual(
    out.copied,
    EXAMPLE_FILES.filter((f) => f !== 'prompts.wvt'),
  );
  assert.equal(readFileSync(join(b, EXAMPLE_FOLDER, 'prompts.wvt'), 'utf8'), '# my own edits\n', 'never overwritten');
  assert.equal(readFileSync(join(b, EXAMPLE_FOLDER, 'wvs7-sample.wvs'), 'utf8'), readFileSync('examples/wvs7-sample.wvs', 'utf8'));
  assert.ok(!existsSync(join(a, EXAMPLE_FOLDER)), 'not the first folder');
  assert.deepEqual(more.shown, [Uri.file(join(b, EXAMPLE_FOLDER, 'wvs7-sample.wvs')).toString()]);
  assert.match(state.messages.at(-1)!.text, /prompts\.wvt; those files were kept/);

  // A fresh copy loads as a study: every file it names is there.
  const c = join(root, 'c');
  mkdirSync(c);
  (workspace as { workspaceFolders: unknown }).workspaceFolders = [{ uri: Uri.file(c), name: 'c', index: 0 }];
  await openExampleStudy(Uri.file(resolve('.')) as never);
  const loaded = await loadStudy(join(c, EXAMPLE_FOLDER, 'demo.study.json'));
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(loaded.surveys[0]?.file.items.length, 23);
});

test('no folder open: the items file opens from the extension, nothing is written', async () => {
  (workspace as { workspaceFolders: unknown }).workspaceFolders = undefined;
  const out = await openExampleStudy(Uri.file(resolve('.')) as never);
  assert.equal(out?.items.fsPath, resolve('examples', 'wvs7-sample.wvs'));
  assert.deepEqual(out?.copied, []);
  assert.match(state.messages.at(-1)!.text, /read-only/);
});
