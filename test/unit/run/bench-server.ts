// The loopback server of the scheduler bench, run as a child process so that its CPU is not the client's:
//   node --import tsx test/unit/run/bench-server.ts --latency 20 [--capacity 4]
// Prints its base URL (ending in /v1); GET /stats reports requests, peak concurrency, mean hold and CPU.

import { parseArgs } from 'node:util';
import { startTestServer } from './support';

const { values } = parseArgs({ options: { latency: { type: 'string', default: '20' }, capacity: { type: 'string' } } });

startTestServer({
  latencyMs: Number(values.latency),
  preciseLatency: true,
  ...(values.capacity ? { capacity: Number(values.capacity) } : {}),
})
  .then((server) => {
    process.stdout.write(`${server.url}\n`);
    const stop = (): void => void server.close().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
