// The study analysis off the caller's thread (issue 17): a node:worker_threads entry, part of dist/cli.js
// (src/cli.ts imports it; it listens only when that file runs as a worker thread). It reads a study's
// corpus once into a selection (analyzeCorpus.ts openCorpusState), keeps it, takes the records a run
// appends, and analyses on request — so the extension host's main thread never parses a million lines or
// runs a bootstrap, and a refresh during a run does not re-read the corpus. Protocol: analysisProtocol.ts;
// the client: analysisClient.ts. A refresh re-analyses only the models whose selection changed
// (incrementalAnalysis.ts).
import { parentPort } from 'node:worker_threads';
import type { CorpusState } from './analyzeCorpus';
import { openCorpusState } from './analyzeCorpus';
import { itemLanguageGroups } from './itemSummary';
import { loadStudy } from './load';
import type { WorkerReply, WorkerRequest } from './analysisProtocol';

let state: CorpusState | undefined;
/** Requests run one after another: an append never lands in the middle of an analysis. */
let queue: Promise<void> = Promise.resolve();

async function handle(message: WorkerRequest): Promise<WorkerReply | undefined> {
  switch (message.type) {
    case 'open': {
      const loaded = message.loaded ?? (await loadStudy(message.studyPath));
      if (!loaded.study)
        throw new Error(`${message.studyPath}: ${loaded.diagnostics.find((d) => d.severity === 'error')?.message ?? 'not a study'}`);
      state = await openCorpusState(loaded as typeof loaded & { study: NonNullable<typeof loaded.study> }, message.options, {
        incremental: true,
      });
      return { type: 'opened', id: message.id };
    }
    case 'append':
      if (!state) throw new Error('append before open');
      state.append(message.records);
      return undefined;
    case 'analyze': {
      if (!state) throw new Error('analyze before open');
      const { analysis, selection, badLines, badManifests } = await state.analyze(message.generatedAt);
      return { type: 'analysis', id: message.id, analysis, badLines, badManifests, items: itemLanguageGroups(selection.units) };
    }
  }
}

parentPort?.on('message', (message: WorkerRequest) => {
  queue = queue.then(async () => {
    try {
      const reply = await handle(message);
      if (reply) parentPort?.postMessage(reply);
    } catch (error) {
      const id = 'id' in message ? message.id : -1;
      parentPort?.postMessage({ type: 'error', id, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
    }
  });
});
