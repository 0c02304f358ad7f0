// A test server on 127.0.0.1 (a free port unless one is named): its URL, and a close that also ends
// open keep-alive connections, which would otherwise hold server.close() until the client lets go.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Loopback {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listenLoopback(server: http.Server, port = 0): Promise<Loopback> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
