// The one sampling loop of the providers: a request for n samples is asked in rounds until n choices are in,
// because some servers give fewer than asked (Ollama's native API has no `n`, Ollama /v1 ignores it) or refuse
// more than one (llama.cpp server answers n ≠ 1 with a 400, learned in openai.ts, then one choice a round).
// Each round shifts the seed, so that the extra samples are not copies, and usage adds up.

import { ProviderError, type CompletionChoice, type CompletionRequest, type CompletionResponse } from '../core/model';

export interface SampleRound {
  choices: CompletionChoice[];
  promptTokens?: number;
  completionTokens?: number;
  /** The model the server says answered. */
  model?: string;
}

/**
 * Calls `round(room, seed)` until `request.n` (≥ 1) choices are collected; round r (0-based) gets the seed
 * `request.seed + r·seedStep`. A round with no choice is a parse failure (it would loop for ever).
 */
export async function collectSamples(
  request: CompletionRequest,
  origin: string,
  seedStep: number,
  round: (room: number, seed: number | undefined) => Promise<SampleRound>,
): Promise<CompletionResponse> {
  const wanted = Math.max(1, request.n ?? 1);
  const choices: CompletionChoice[] = [];
  let promptTokens = 0;
  let completionTokens = 0;
  let model = request.model;
  for (let r = 0; choices.length < wanted; r++) {
    const room = wanted - choices.length;
    const got = await round(room, request.seed === undefined ? undefined : request.seed + r * seedStep);
    if (got.choices.length === 0) throw new ProviderError(`Answer from ${origin} has no choices`, 'parse');
    choices.push(...got.choices.slice(0, room));
    promptTokens += got.promptTokens ?? 0;
    completionTokens += got.completionTokens ?? 0;
    model = got.model || model;
  }
  return { model, choices, usage: { promptTokens, completionTokens } };
}
