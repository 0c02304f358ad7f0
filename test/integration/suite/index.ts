// Mocha entry point loaded by VS Code's extension host (see run.mjs).
import { resolve } from 'node:path';
import type MochaType from 'mocha';
import { registerSuite } from './extension.test';

export function run(): Promise<void> {
  // mocha stays external to the bundle and is loaded from the repository's node_modules.
  const Mocha = require(process.env.VALUE_LENS_MOCHA ?? resolve(__dirname, '../../node_modules/mocha')) as typeof MochaType;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  mocha.suite.emit('pre-require', globalThis, 'extension.test', mocha);
  registerSuite();
  return new Promise((done, fail) => mocha.run((failures) => (failures ? fail(new Error(`${failures} test(s) failed`)) : done())));
}
