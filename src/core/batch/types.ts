// The contracts of the batch engines: a run plan sent as one provider batch job (OpenAI's Files + Batches
// API, or any OpenAI-compatible server with the same file protocol) or as files for `vllm run-batch`,
// instead of live requests. Core code knows the line format and the job's life cycle; the HTTP client and
// the request/response body mapping come from the providers layer (src/providers/openai-batch.ts).

import type { CompletionResponse, ProviderId } from '../model';
import type { PlannedRequest } from '../run/plan';

/** The statuses of a batch job (OpenAI API reference, the batch object). */
export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export const BATCH_STATUSES: readonly BatchStatus[] = [
  'validating',
  'failed',
  'in_progress',
  'finalizing',
  'completed',
  'expired',
  'cancelling',
  'cancelled',
];

/** Statuses after which nothing changes any more: the output and error files (if any) are final. */
export const TERMINAL_STATUSES: ReadonlySet<BatchStatus> = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** The endpoint a batch's lines go to: chat models and base models need separate batches. */
export type BatchEndpoint = '/v1/chat/completions' | '/v1/completions';

export interface BatchRequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/** What the server says about a batch job. */
export interface BatchInfo {
  id: string;
  status: BatchStatus;
  inputFileId: string;
  outputFileId?: string;
  errorFileId?: string;
  requestCounts?: BatchRequestCounts;
  /** Batch-level errors (a failed validation), as "code: message". */
  errors?: string[];
}

/** Files + Batches API of one server; implemented on the providers' transport (src/providers/openai-batch.ts). */
export interface BatchClient {
  readonly provider: ProviderId;
  /** scheme://host:port; never credentials. */
  readonly origin: string;
  /** Uploads a JSONL file with purpose "batch"; the file id. */
  uploadFile(path: string, signal: AbortSignal): Promise<string>;
  createBatch(inputFileId: string, endpoint: BatchEndpoint, signal: AbortSignal): Promise<BatchInfo>;
  retrieveBatch(batchId: string, signal: AbortSignal): Promise<BatchInfo>;
  cancelBatch(batchId: string, signal: AbortSignal): Promise<BatchInfo>;
  /** Streams a file's content to `path` (outputs can be far larger than one response body may be). */
  downloadFile(fileId: string, path: string, signal: AbortSignal): Promise<void>;
}

/** The request body of a planned request and the reading of a response body, as the live provider does them. */
export interface BatchCodec {
  /** The endpoint and body of one input line (model, messages or prompt, every decoding parameter). */
  requestOf(req: PlannedRequest): { url: BatchEndpoint; body: Record<string, unknown> };
  /** A response body of that endpoint as the provider-neutral answer; throws ProviderError('parse') when it is none. */
  responseOf(url: BatchEndpoint, body: unknown, req: PlannedRequest): CompletionResponse;
}

/** One line of a batch input file (OpenAI's "batch input line", also `vllm run-batch -i`). */
export interface BatchInputLine {
  custom_id: string;
  method: 'POST';
  url: BatchEndpoint;
  body: Record<string, unknown>;
}

/**
 * One line of an output or error file: `{id, custom_id, response: {status_code, request_id, body}, error}`
 * (OpenAI; vLLM's BatchRequestOutput). Older vLLM releases wrote the completion itself as `response`.
 */
export interface BatchOutputLine {
  id?: string;
  custom_id: string;
  response?: { status_code?: number; request_id?: string; body?: unknown } | null;
  error?: { code?: string | null; message?: string } | null;
}

/** Where a batch job stands, for progress displays (the editor's long-running task, the CLI's status line). */
export interface BatchProgress {
  /** Local id until the batch exists, then the server's batch id. */
  batchId: string;
  phase: BatchPhase;
  status?: BatchStatus;
  requestCounts?: BatchRequestCounts;
  /** Lines in this batch. */
  lines: number;
  /** The state file (`<results>/batches/<batchId>.json`). */
  stateFile: string;
  resumed: boolean;
}

/** The local life of a batch: written → uploaded → submitted (polled) → imported; cancel-requested on the way. */
export type BatchPhase = 'written' | 'uploaded' | 'submitted' | 'cancel-requested' | 'imported';
