// Runs one loopback fake model server standalone (for e2e tests and demos):
//   node --import tsx test/support/fake-server-cli.ts --kind ollama|openai [--port P] [--latency MS] [--require-key KEY]
// Prints the base URL (OpenAI: ending in /v1) on stdout, then serves until SIGTERM/SIGINT.

import { parseArgs } from 'node:util';
import { startFakeOllama } from './fake-ollama';
import { startFakeOpenAI } from './fake-openai';

const { values } = parseArgs({
  options: {
    kind: { type: 'string', default: 'ollama' },
    port: { type: 'string', default: '0' },
    latency: { type: 'string', default: '0' },
    'require-key': { type: 'string' },
    'no-logprobs': { type: 'boolean', default: false },
  },
});

const kind = values.kind;
if (kind !== 'ollama' && kind !== 'openai') {
  process.stderr.write(`--kind must be ollama or openai, not ${kind}\n`);
  process.exit(2);
}
const options = {
  port: Number(values.port),
  latencyMs: Number(values.latency),
  requireKey: values['require-key'] ?? null,
  logprobs: values['no-logprobs'] ? ('missing' as const) : ('ok' as const),
};

async function main(): Promise<void> {
  const server = kind === 'ollama' ? await startFakeOllama(options) : await startFakeOpenAI(options);
  process.stdout.write(`${kind === 'openai' ? `${server.url}/v1` : server.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
