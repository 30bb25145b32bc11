import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { closeServer, listen } from '../net';
import { refuseUpgrade, STATUS_TEXT } from '../upgrade-refusal';
import { type FakeDeepgramConnection, FakeDeepgramSession } from './connection';
import { newRequestId } from './messages';
import type { DeepgramUpgradeFault, FakeDeepgramOptions } from './script';

/** One upgrade attempt, accepted (101) or rejected. */
export interface FakeDeepgramUpgrade {
  readonly status: number;
  /** Milliseconds since the fake started. */
  readonly atMs: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
}

export interface FakeDeepgram {
  /** `ws://127.0.0.1:PORT`: pass as the SDK's `baseUrl`. */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** Accepted connections, in order. */
  readonly connections: readonly FakeDeepgramConnection[];
  /** Every upgrade attempt, in order, including rejected ones. */
  readonly upgrades: readonly FakeDeepgramUpgrade[];
  /** Sockets currently open (accepted and not yet closed). */
  openConnections(): number;
  /** Resolves with connection `index` once it is accepted. */
  waitForConnection(index: number, timeoutMs?: number): Promise<FakeDeepgramConnection>;
  close(): Promise<void>;
}

/** Deepgram's error-body codes for the statuses a fault can choose. */
const ERR_CODE: Record<number, string> = { 401: 'INVALID_AUTH', 429: 'TOO_MANY_REQUESTS', 400: 'Bad Request' };

function rejectUpgrade(socket: Socket, requestId: string, fault: DeepgramUpgradeFault): void {
  const message = fault.message ?? STATUS_TEXT[fault.status] ?? 'Error';
  const body = JSON.stringify({ err_code: ERR_CODE[fault.status] ?? 'ERROR', err_msg: message, request_id: requestId });
  refuseUpgrade(socket, {
    status: fault.status,
    reason: STATUS_TEXT[fault.status] ?? 'Error',
    body,
    headers: [`dg-request-id: ${requestId}`, `dg-error: ${message}`],
    retryAfter: fault.retryAfter,
  });
}

/** The key from `Authorization: Token <key>`, or from the browser form `Sec-WebSocket-Protocol: token, <key>`. */
function presentedKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Token ')) return auth.slice(6);
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const i = protocols.indexOf('token');
  return i >= 0 ? protocols[i + 1] : undefined;
}

/**
 * A fake Deepgram live-transcription server (`/v1/listen`) on 127.0.0.1, plain ws. It speaks the wire protocol of
 * https://developers.deepgram.com/docs/live-streaming-audio and records every upgrade, frame and close so tests can
 * assert what crossed the wire.
 */
export async function startFakeDeepgram(opts: FakeDeepgramOptions = {}): Promise<FakeDeepgram> {
  const apiKey = opts.apiKey ?? 'test-key';
  const startedAt = Date.now();
  const sessions: FakeDeepgramSession[] = [];
  const upgrades: FakeDeepgramUpgrade[] = [];
  const waiters: Array<{ index: number; resolve: (c: FakeDeepgramConnection) => void }> = [];
  const open = new Set<FakeDeepgramSession>();
  const rawSockets = new Set<Socket>();
  const requestIds = new WeakMap<IncomingMessage, string>();
  let keyedAttempts = 0;

  const wss = new WebSocketServer({
    noServer: true,
    // The browser form of auth selects the `token` subprotocol.
    handleProtocols: (protocols) => (protocols.has('token') ? 'token' : false),
  });
  wss.on('headers', (headers, req) => headers.push(`dg-request-id: ${requestIds.get(req) ?? ''}`));
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required');
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const requestId = newRequestId();
    const record = (status: number): void => {
      upgrades.push({ status, atMs: Date.now() - startedAt, path: url.pathname, query, headers: req.headers });
    };
    socket.on('error', () => undefined);
    rawSockets.add(socket);
    socket.once('close', () => rawSockets.delete(socket));
    if (url.pathname !== '/v1/listen') {
      record(404);
      rejectUpgrade(socket, requestId, { status: 404 });
      return;
    }
    if (presentedKey(req) !== apiKey) {
      record(401);
      rejectUpgrade(socket, requestId, { status: 401, message: 'Invalid credentials.' });
      return;
    }
    const fault = opts.upgradeFault?.(keyedAttempts++);
    if (fault) {
      record(fault.status);
      rejectUpgrade(socket, requestId, fault);
      return;
    }
    requestIds.set(req, requestId);
    wss.handleUpgrade(req, socket, head, (ws) => {
      record(101);
      const index = sessions.length;
      const script = typeof opts.script === 'function' ? opts.script(index) : (opts.script ?? []);
      const session = new FakeDeepgramSession(ws, socket, {
        index,
        path: url.pathname,
        query,
        headers: req.headers,
        requestId,
        script,
        idleTimeoutMs: opts.idleTimeoutMs ?? 10_000,
        bytesPerSecond: opts.bytesPerSecond ?? 8000,
        finalizeText: opts.finalizeText ?? '',
      });
      sessions.push(session);
      open.add(session);
      void session.closed.then(() => open.delete(session));
      for (const w of waiters.filter((x) => x.index === index)) w.resolve(session);
    });
  });

  const { port } = await listen(server);

  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    apiKey,
    connections: sessions,
    upgrades,
    openConnections: () => open.size,
    waitForConnection(index, timeoutMs = 5000) {
      if (sessions[index]) return Promise.resolve(sessions[index]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fake Deepgram: no connection #${index} in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          index,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      });
    },
    async close() {
      for (const s of rawSockets) s.destroy(); // refused upgrades (never handed to ws)
      await closeServer(server, wss);
    },
  };
}
