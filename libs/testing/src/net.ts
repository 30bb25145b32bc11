import type { Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';

export interface Listening {
  readonly port: number;
  /** `http://127.0.0.1:<port>` (or `https://…` for a TLS server); IPv6 hosts are bracketed. */
  readonly url: string;
}

/** Listens on port 0 (an ephemeral port) and resolves with where; rejects on a listen error. */
export async function listen(server: HttpServer | HttpsServer, host = '127.0.0.1'): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(0, host);
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = server instanceof HttpsServer ? 'https' : 'http';
  return { port: address.port, url: `${scheme}://${hostPart}:${address.port}` };
}

/**
 * Stops a test server so that jest (inside nx) can exit: terminates every WebSocket client (upgraded sockets are no
 * longer tracked by the HTTP server), closes the WebSocket servers, drops keep-alive HTTP sockets with
 * `closeAllConnections()` (https://nodejs.org/api/http.html#servercloseallconnections; under jest inside nx, `close()`
 * alone hung on them), and resolves once closed.
 */
export async function closeServer(server: HttpServer | HttpsServer, wss?: WebSocketServer | readonly WebSocketServer[]): Promise<void> {
  const sockets = wss === undefined ? [] : Array.isArray(wss) ? (wss as readonly WebSocketServer[]) : [wss as WebSocketServer];
  for (const ws of sockets) for (const client of ws.clients) client.terminate();
  // server.close() calls back with ERR_SERVER_NOT_RUNNING when it was never listening: closed either way.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => ws.close(() => resolve()))));
  server.closeAllConnections();
  await closed;
}
