// loadConfig looks for both settings files at once: value-lens.json still wins over .valuelensrc.json, and
// either alone is read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/cli/config';
import { removeDir, tempDir } from './helpers';

test('value-lens.json wins over .valuelensrc.json; either alone is read; neither: no settings', async () => {
  const dir = tempDir();
  try {
    assert.deepEqual(await loadConfig(undefined, dir), { config: {} });
    await fs.writeFile(join(dir, '.valuelensrc.json'), JSON.stringify({ model: 'from-rc' }));
    assert.deepEqual(await loadConfig(undefined, dir), { config: { model: 'from-rc' }, path: join(dir, '.valuelensrc.json') });
    await fs.writeFile(join(dir, 'value-lens.json'), JSON.stringify({ model: 'from-json' }));
    assert.deepEqual(await loadConfig(undefined, dir), { config: { model: 'from-json' }, path: join(dir, 'value-lens.json') });
    await fs.rm(join(dir, '.valuelensrc.json'));
    assert.equal((await loadConfig(undefined, dir)).config.model, 'from-json');
  } finally {
    await removeDir(dir);
  }
});

test('an --out hard-linked to an input is refused, whichever input it is', async () => {
  const { refuseInputAsOutput } = await import('../../../src/cli/io');
  const dir = tempDir();
  try {
    const inputs = ['a.wvs', 'b.wvt', 'c.json'].map((name) => join(dir, name));
    for (const input of inputs) await fs.writeFile(input, 'x');
    await refuseInputAsOutput(join(dir, 'out.jsonl'), [...inputs, undefined], '--out', 'score');
    for (const input of inputs) {
      const out = join(dir, `link-to-${input.slice(-5)}`);
      await fs.link(input, out);
      await assert.rejects(refuseInputAsOutput(out, [...inputs, undefined], '--out', 'score'), /is one of the input files/);
    }
    await assert.rejects(refuseInputAsOutput(inputs[1], inputs, '--out', 'score'), /is one of the input files/);
  } finally {
    await removeDir(dir);
  }
});
