// The HTTP layer loads node:https and node:zlib on first use (they cost every CLI start ~7 ms): a plain
// http: exchange with an uncompressed answer loads neither; an https: URL and a gzip answer still work.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

const ROOT = join(__dirname, '..', '..', '..');

// A fresh process: this test process has loaded zlib itself (the gzip answer below).
const SCRIPT = `
const { createServer } = require('node:http');
const { httpExchange } = require('./src/providers/http-transport');
const loaded = () => process.moduleLoadList.filter((m) => m === 'NativeModule https' || m === 'NativeModule zlib');
const server = createServer((_req, res) => res.end('{"ok":true}')).listen(0, '127.0.0.1', async () => {
  const before = loaded();
  const answer = await httpExchange({ method: 'GET', url: new URL('http://127.0.0.1:' + server.address().port + '/') });
  process.stdout.write(JSON.stringify({ before, after: loaded(), status: answer.status }));
  server.close();
});`;

test('an http: exchange with a plain answer loads neither node:https nor node:zlib', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', SCRIPT], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { before: string[]; after: string[]; status: number };
  assert.equal(seen.status, 200);
  assert.deepEqual(seen.before, []);
  assert.deepEqual(seen.after, []);
});

test('a gzip answer is decoded, and an https: URL goes out over TLS (a refused port: a network error)', async () => {
  const { httpExchange } = await import('../../../src/providers/http-transport');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
    res.end(gzipSync('{"answer":2}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const answer = await httpExchange({ method: 'GET', url: new URL(`http://127.0.0.1:${port}/`) });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString('utf8'), '{"answer":2}');
    // The plain-http server cannot speak TLS: the https: path loads and runs, and fails as a connection does.
    await assert.rejects(
      httpExchange({ method: 'GET', url: new URL(`https://127.0.0.1:${port}/`), timeoutMs: 5000 }),
      (error: Error) => !(error instanceof TypeError) && !/not a function|undefined/.test(error.message),
    );
  } finally {
    server.close();
  }
});
