// Logger redaction: keys in messages and string arguments never reach the sink.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryLogger, nullLogger, redactSecrets, redactingLogger } from '../../../src/core/log';

test('redactSecrets hides bearer tokens, sk- keys, key query parameters and JSON key fields', () => {
  const cases: [string, string][] = [
    ['Authorization: Bearer abc.def-123456', 'Authorization: [redacted]'],
    ['key sk-proj-ABCDEF123456 rejected', 'key [redacted] rejected'],
    ['GET https://x.example/v1?api-key=s3cr3t&x=1', 'GET https://x.example/v1?api-key=[redacted]&x=1'],
    ['{"apiKey":"hunter22"}', '{"apiKey":"[redacted]"}'],
    ['x-api-key: abcdef', 'x-api-key: [redacted]'],
  ];
  for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected);
  assert.equal(
    redactSecrets('HTTP 429 from http://127.0.0.1:11434, retrying in 1000 ms'),
    'HTTP 429 from http://127.0.0.1:11434, retrying in 1000 ms',
  );
});

test('redactingLogger redacts messages and string arguments at every level', () => {
  const sink = createMemoryLogger();
  const logger = redactingLogger(sink);
  const key = 'sk-CANARY-0123456789';
  for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) logger[level](`failed with ${key}`, `Bearer ${key}`, 42);
  assert.equal(sink.entries.length, 5);
  assert.ok(!JSON.stringify(sink.entries).includes('CANARY'));
  assert.equal(sink.entries[0].args[1], 42);
  nullLogger.error('nothing happens');
});
