// Provider batch engines: docs/batch.md.
export * from './types';
export { createOpenAIBatchEngine, abortableSleep, DEFAULT_POLL, MAX_LINES_PER_BATCH, type BatchEngine, type BatchExport, type BatchRunContext, type BatchRunSummary, type OpenAIBatchEngineOptions, type PollPolicy } from './engine';
export { createBatchExporter, createBatchImporter } from './offline';
export { readStates, listBatches, statePath, batchesDir, unfinished, BATCHES_DIR, type BatchState } from './state';
export { writeInputFile, readOutputFile, parseOutputLine, lineOutcome } from './lines';
export { BatchUnsupportedError } from './partition';
export type { ImportCounts } from './importLines';
