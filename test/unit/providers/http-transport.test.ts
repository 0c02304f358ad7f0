import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { listenLoopback, type Loopback } from '../../support/loopback';
import { httpTransport } from '../../../src/providers/http-transport';

const serve = (handler: http.RequestListener): Promise<Loopback> => listenLoopback(http.createServer(handler));

test('posts the body and headers, returns status, headers and body', async () => {
  const server = await serve((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body }));
    });
  });
  try {
    const response = await httpTransport(`${server.url}/x`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{"a":1}' });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('retry-after'), '3');
    assert.deepEqual(await response.json(), { method: 'POST', auth: 'Bearer k', body: '{"a":1}' });
  } finally {
    await server.close();
  }
});

test('an abort during a hang rejects with AbortError at once (< 1 s; the server never answers)', async () => {
  const server = await serve(() => undefined); // never answers
  try {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(httpTransport(server.url, { signal: controller.signal }), (error: Error) => error.name === 'AbortError');
    assert.ok(performance.now() - started < 1000);
  } finally {
    await server.close();
  }
});

test('a timeout signal rejects with its TimeoutError', async () => {
  const server = await serve(() => undefined);
  try {
    await assert.rejects(httpTransport(server.url, { signal: AbortSignal.timeout(50) }), (error: Error) => error.name === 'TimeoutError');
  } finally {
    await server.close();
  }
});

test('a connection cut mid-body rejects instead of returning a partial body', async () => {
  const server = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"partial":');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  try {
    await assert.rejects(httpTransport(server.url));
  } finally {
    await server.close();
  }
});

test('a refused connection rejects', async () => {
  const server = await serve(() => undefined);
  const url = server.url;
  await server.close();
  await assert.rejects(httpTransport(url));
});
