// A study run as a provider batch job from the editor (issue 17; core/batch, docs/batch.md): Run Study as
// Batch, a progress notification with the batch's status while it is polled, its records in the corpus when
// it ends (then the panel), and the results view's batch nodes. The batch's state lives in the study's
// folder, so closing VS Code detaches (the job keeps running on the server; never cancelled by a shutdown)
// and at the next start a study with an unfinished batch offers to resume polling: resumed, never resubmitted.
import * as vscode from 'vscode';
import { listBatches } from '../core/batch/state';
import { createOpenAIBatchEngine, DEFAULT_POLL, type BatchEngine, type OpenAIBatchEngineOptions } from '../core/batch/engine';
import type { BatchProgress } from '../core/batch/types';
import { originOf } from '../core/origin';
import type { Study } from '../core/study/types';
import { createOpenAIBatchClient, openAIBatchCodec } from '../providers/openai-batch';
import type { ApiKeys } from './apiKeys';
import { readEndpointConfig } from './config';
import { studyResultsDir } from './resultsTree';

export interface EditorBatch {
  engine: BatchEngine;
  /** Leave the job running on the server when the run is aborted (the editor closes); a later run resumes it. */
  detach(): void;
}

/** The batch's status as one line for the progress notification. */
export function batchStatusText(p: BatchProgress): string {
  const counts = p.requestCounts
    ? ` ${p.requestCounts.completed + p.requestCounts.failed}/${p.requestCounts.total}${p.requestCounts.failed ? ` (${p.requestCounts.failed} failed)` : ''}`
    : ` ${p.lines} line(s)`;
  return `batch ${p.batchId}: ${p.status ?? p.phase}${counts}${p.resumed ? ', resumed' : ''}`;
}

/**
 * The batch engine for a study, or why it cannot run as a batch. The key saved for an endpoint goes with the
 * batch only when that endpoint is the user's own `valueLens.openai.baseUrl` (no modal for a background job).
 */
export async function editorBatchEngine(
  study: Study,
  apiKeys: Pick<ApiKeys, 'get'>,
  onStatus: (p: BatchProgress) => void,
  poll: Partial<OpenAIBatchEngineOptions['poll']> = {},
): Promise<EditorBatch | string> {
  if (study.method === 'judge')
    return vscode.l10n.t('Method "judge" cannot run as a batch (each judge request needs its generation\'s answer).');
  const other = study.models.filter((m) => m.provider !== 'openai');
  if (other.length) return vscode.l10n.t('Batches need OpenAI-compatible models; {0} is not.', other.map((m) => m.id).join(', '));
  const own = originOf(readEndpointConfig().openaiBaseUrl);
  const keys = new Map<string, string | undefined>();
  for (const m of study.models) {
    if (keys.has(m.endpoint)) continue;
    keys.set(m.endpoint, originOf(m.endpoint) === own ? await apiKeys.get(m.endpoint).catch(() => undefined) : undefined);
  }
  const official = study.models.some((m) => /(^|\.)openai\.com$/i.test(safeHost(m.endpoint)));
  const options: OpenAIBatchEngineOptions = {
    clientFor: (_provider, endpoint) => {
      const apiKey = keys.get(endpoint);
      return createOpenAIBatchClient({ baseURL: endpoint, ...(apiKey ? { apiKey } : {}) });
    },
    codec: openAIBatchCodec(official ? { tokenParam: 'max_completion_tokens', completionsMaxLogprobs: 5 } : {}),
    poll: { firstMs: DEFAULT_POLL.firstMs, maxMs: DEFAULT_POLL.maxMs, ...poll },
    onAbort: 'cancel',
    onBatch: onStatus,
  };
  return { engine: createOpenAIBatchEngine(options), detach: () => (options.onAbort = 'detach') };
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** Study files whose results folder holds a batch that is not imported yet (polling was interrupted). */
export async function studiesWithUnfinishedBatches(): Promise<{ uri: vscode.Uri; name: string; batches: number }[]> {
  const out: { uri: vscode.Uri; name: string; batches: number }[] = [];
  const decoder = new TextDecoder();
  const studies: vscode.Uri[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? [])
    studies.push(...(await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.study.json'), '**/node_modules/**', 200)));
  for (const uri of studies) {
    const text = decoder.decode(
      await vscode.workspace.fs.readFile(uri).then(
        (b) => b,
        () => new Uint8Array(),
      ),
    );
    const { name, dir } = studyResultsDir(uri.fsPath, text);
    const pending = (await listBatches(dir).catch(() => [])).filter((b) => b.phase !== 'imported');
    if (pending.length) out.push({ uri, name, batches: pending.length });
  }
  return out;
}

/** After a reload: offers to resume polling each study's unfinished batches (run() resumes, never resubmits). */
export async function offerBatchResume(resume: (uri: vscode.Uri) => Promise<unknown>): Promise<number> {
  const found = await studiesWithUnfinishedBatches();
  for (const s of found) {
    const label = vscode.l10n.t('Resume Polling');
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t(
          'Value Lens: study {0} has {1} batch job(s) still in flight. Resume polling? Nothing is submitted again.',
          s.name,
          s.batches,
        ),
        label,
      )
      .then((choice) => {
        if (choice === label) void resume(s.uri);
      });
  }
  return found.length;
}
