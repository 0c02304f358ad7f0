// Pulling a model must not follow a redirect to another origin (issue 18, Low): the pull request would be
// re-sent wherever the server points. The redirecting server answers 307; the target must see nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import { pullModel } from '../../../src/providers/ollama';
import { ProviderError } from '../../../src/core/model';
import { listenLoopback, type Loopback } from '../../support/loopback';

const listen = (handler: RequestListener): Promise<Loopback> => listenLoopback(createServer(handler));

test('pullModel refuses a cross-origin redirect and the target receives no request', async () => {
  let targetHits = 0;
  const target = await listen((_req, res) => {
    targetHits++;
    res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('{"status":"success"}\n');
  });
  const redirecting = await listen((_req, res) => res.writeHead(307, { location: `${target.url}/api/pull` }).end());
  try {
    await assert.rejects(
      pullModel(redirecting.url, 'qwen2.5:0.5b', () => undefined, new AbortController().signal),
      (error: unknown) =>
        error instanceof ProviderError && error.status === 307 && /redirect to http:\/\/127\.0\.0\.1:\d+ not followed/.test(error.message),
    );
    assert.equal(targetHits, 0);
  } finally {
    await redirecting.close();
    await target.close();
  }
});
