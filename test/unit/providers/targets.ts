// The suites' two targets: a provider on its loopback fake, or on a real server when VALUE_LENS_OLLAMA_URL
// / VALUE_LENS_OPENAI_BASE_URL is set; `skip` then says why the cases that need the fake do not run.
import { createOllamaProvider } from '../../../src/providers/ollama';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { startFakeOllama } from '../../support/fake-ollama';
import { startFakeOpenAI } from '../../support/fake-openai';
import type { Target } from './protocol-suite';

const FAKE_MODEL = 'fake-llm:latest';

export function ollamaTarget(realModel: string): { target: Target; skip: string | false } {
  const realUrl = process.env.VALUE_LENS_OLLAMA_URL;
  return {
    target: {
      kind: 'ollama',
      real: !!realUrl,
      model: realUrl ? realModel : FAKE_MODEL,
      async setup() {
        if (realUrl) return { provider: createOllamaProvider({ host: realUrl, keepAlive: '10m' }) };
        const fake = await startFakeOllama();
        return { provider: createOllamaProvider({ host: fake.url, keepAlive: '10m' }), fake };
      },
    },
    skip: realUrl ? 'real Ollama server: these cases need the loopback fake' : false,
  };
}

/** `key` is the fake's API key: the suites check that no message or stack carries it. */
export function openaiTarget(realModel: string, key: string): { target: Target; skip: string | false } {
  const realUrl = process.env.VALUE_LENS_OPENAI_BASE_URL;
  return {
    target: {
      kind: 'openai',
      real: !!realUrl,
      model: realUrl ? realModel : FAKE_MODEL,
      async setup() {
        if (realUrl) return { provider: createOpenAIProvider({ baseURL: realUrl, apiKey: process.env.OPENAI_API_KEY }) };
        const fake = await startFakeOpenAI();
        return { provider: createOpenAIProvider({ baseURL: `${fake.url}/v1`, apiKey: key }), fake, secret: key };
      },
    },
    skip: realUrl ? 'real OpenAI-compatible server: these cases need the loopback fake' : false,
  };
}
