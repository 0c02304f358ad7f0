// Public surface of the run engine (plan → scheduler/retries → scoring → cache and results file).
export { buildPlan, type PlanInput, type PlanModel, type PlannedRequest } from './plan';
export { CACHE_FORMAT_VERSION, cacheKey, canonicalJson, endpointOrigin, type CacheKeyParts, type RequestParams } from './key';
export { runPlan, newRunId, DEFAULT_TIMEOUT_MS, DEFAULT_FIRST_REQUEST_TIMEOUT_MS, type RunOptions, type RunProgress, type RunSummary } from './runner';
export { ResultCache, type CachedResponse, type ResultCacheOptions } from './cache';
export { ResultsStore, readRunRecords, parseRunRecords, isRunRecord, type ReadRunRecords } from './store';
export { DEFAULT_RETRY_POLICY, decideRetry, backoffDelay, parseRetryAfter, isRetryable, sleep, type RetryPolicy, type RetryDecision } from './retry';
export { DEFAULT_CONCURRENCY, Limiter, Scheduler } from './scheduler';
