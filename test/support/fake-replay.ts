// A loopback server that answers each route with a recorded body, verbatim: the documented examples of
// test/fixtures/wire/, so that a provider can be tested on exactly what a real server's documentation says
// it sends (the other fakes are tested against the same examples for having every field).

import { sendJson, startServer, type FakeServer } from './fake-common';

export interface ReplayAnswer {
  status?: number;
  body: unknown;
  /** Sent as NDJSON lines (Ollama's streaming endpoints) instead of one JSON document. */
  ndjson?: boolean;
}

/** Routes keyed "METHOD /path" (query strings ignored); anything else is a 404. */
export function startReplay(routes: Record<string, ReplayAnswer>): Promise<FakeServer> {
  return startServer(
    (req, res) => {
      const answer = routes[`${req.method} ${req.path}`];
      if (!answer) return sendJson(res, 404, { error: `no recorded answer for ${req.method} ${req.path}` });
      if (answer.ndjson) {
        const lines = (Array.isArray(answer.body) ? answer.body : [answer.body]).map((l) => JSON.stringify(l)).join('\n');
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/x-ndjson' });
        return void res.end(`${lines}\n`);
      }
      sendJson(res, answer.status ?? 200, answer.body);
    },
    (path) => path !== '/',
  );
}
