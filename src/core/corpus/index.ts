// The results corpus of a study: types, writer, streaming reader, format-1 migration, selection.
export * from './types';
export { CorpusWriter, outcomeOf, writeManifest, readManifests, manifestPath, type CorpusWriterOptions, type ManifestStart, type RunOutcome } from './writer';
export { readCorpus, corpusRecords, corpusFiles, CorpusReader, MAX_LINE_CHARS, type BadLine, type BadLineSource, type CorpusReadOptions, type CorpusReadReport } from './reader';
export { isRunRecord, withDefaults, orderName, roundOf, parseRecordLine } from './records';
export { selectUnits, conditionKey, type SelectContext, type SelectItem } from './select';
