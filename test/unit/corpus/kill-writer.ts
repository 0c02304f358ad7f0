// Child of store.test.ts's SIGKILL test: appends records 0, 1, 2, … (round = sequence number) to one file
// through ResultsStore, a burst of 1–23 per event-loop turn, until killed; prints `acked <n>` each time the
// appends of the first n records (a multiple of 50) have resolved. Stops by itself after MAX records.
import { ResultsStore } from '../../../src/core/run/store';
import { result } from './support';

const MAX = 200_000;

export function killRecord(i: number): ReturnType<typeof result> {
  return result(i, { round: i, itemId: `K${i}`, runId: 'kill' });
}

async function main(path: string): Promise<void> {
  const store = new ResultsStore(path);
  let acked = 0;
  const ack = (): void => {
    if (++acked % 50 === 0) process.stdout.write(`acked ${acked}\n`);
  };
  for (let i = 0, turn = 0; i < MAX; turn++) {
    const burst = 1 + ((turn * 7) % 23);
    for (let k = 0; k < burst && i < MAX; k++) void store.append(killRecord(i++)).then(ack);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await store.close();
}

if (process.argv[2] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  main(process.argv[2]).catch((error: unknown) => {
    process.stderr.write(String(error));
    process.exit(1);
  });
}
