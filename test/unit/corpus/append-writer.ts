// Child process of store.test.ts: appends N records to one file through ResultsStore, in bursts so that
// batches of several lines and single lines both occur while other processes append too.
import { ResultsStore } from '../../../src/core/run/store';
import { result } from './support';

async function main(): Promise<void> {
  const [path, writer, count] = process.argv.slice(2);
  const store = new ResultsStore(path);
  const n = Number(count);
  for (let i = 0; i < n; i += 25) {
    const burst: Promise<void>[] = [];
    for (let j = i; j < Math.min(n, i + 25); j++)
      burst.push(store.append(result(j, { runId: `writer-${writer}`, round: j, itemId: `W${writer}-${j}` })));
    await Promise.all(burst);
  }
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(String(error));
  process.exit(1);
});
