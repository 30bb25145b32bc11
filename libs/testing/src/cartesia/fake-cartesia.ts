import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { changeWaiter } from '../change-waiter';
import { closeServer, listen } from '../net';
import { TEST_TLS_CERT, testTlsServerOptions } from '../tls/test-certificate';
import { refuseUpgrade, STATUS_TEXT } from '../upgrade-refusal';
import { CartesiaConnection, type FakeCartesiaConnection } from './connection';
import type {
  CartesiaContextRecord,
  CartesiaContextScript,
  CartesiaFrameRecord,
  CartesiaUpgradeFault,
  CartesiaUpgradeRecord,
  FakeCartesiaOptions,
} from './types';

export interface FakeCartesia {
  /** `https://127.0.0.1:PORT`: the Cartesia SDK's `baseURL` (it rewrites the scheme to `wss:` itself). */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** PEM of the fake's self-signed certificate: pass as `ca` to the SDK's `tts.websocket(...)` options. */
  readonly ca: string;
  /** Accepted sockets, in order. */
  readonly connections: readonly FakeCartesiaConnection[];
  /** Every upgrade attempt, including rejected ones. */
  readonly upgrades: readonly CartesiaUpgradeRecord[];
  /** Every frame in both directions on every socket, in order. */
  readonly frames: readonly CartesiaFrameRecord[];
  /** Contexts by `context_id`, in order of first appearance. */
  readonly contexts: ReadonlyMap<string, CartesiaContextRecord>;
  /** Protocol violations seen from clients (changed fixed fields, reused context_id, input after the end...). */
  readonly violations: readonly string[];
  /** Queue scripts for the next contexts (used before the `contexts` option). */
  scriptContexts(...scripts: CartesiaContextScript[]): void;
  /** Queue faults for the next upgrade attempts (used before the `upgradeFault` option). */
  failUpgrades(...faults: CartesiaUpgradeFault[]): void;
  /** Sockets open right now. */
  openConnections(): number;
  /** Resolves once `predicate` holds (checked after every frame, upgrade and close, and every 5 ms), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Server-side close of every open socket (e.g. the 5-minute idle close) with this code. */
  closeSockets(code?: number, reason?: string): void;
  close(): Promise<void>;
}

function rejectUpgrade(socket: Socket, fault: CartesiaUpgradeFault): void {
  const text = STATUS_TEXT[fault.status] ?? 'Error';
  // The HTTP error object of the Cartesia API: {error_code, title, message, request_id}
  // (https://docs.cartesia.ai/use-the-api/api-errors).
  const body = JSON.stringify({ error_code: text.toLowerCase().replace(/ /g, '_'), title: text, message: fault.message ?? text, request_id: 'req_fake' });
  refuseUpgrade(socket, { status: fault.status, reason: text, body, retryAfter: fault.retryAfter });
}

/** The key from `Authorization: Bearer`, `X-API-Key` (header names are case-insensitive) or `?api_key=`. */
function presentedKey(req: IncomingMessage, query: Record<string, string>): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const x = req.headers['x-api-key'];
  return (typeof x === 'string' ? x : undefined) ?? query['api_key'];
}

/**
 * A fake Cartesia TTS WebSocket (`GET /tts/websocket`) on https://127.0.0.1 with the test certificate of ../tls,
 * speaking the JSON protocol of https://docs.cartesia.ai/2026-03-01/api-reference/tts/websocket and recording every
 * upgrade, frame, context and close.
 */
export async function startFakeCartesia(opts: FakeCartesiaOptions = {}): Promise<FakeCartesia> {
  const apiKey = opts.apiKey ?? 'sk_test_cartesia';
  const startedAt = Date.now();
  const connections: CartesiaConnection[] = [];
  const upgrades: CartesiaUpgradeRecord[] = [];
  const frames: CartesiaFrameRecord[] = [];
  const contexts = new Map<string, CartesiaContextRecord>();
  const violations: string[] = [];
  const queuedScripts: CartesiaContextScript[] = [];
  const queuedFaults: CartesiaUpgradeFault[] = [];
  const events = changeWaiter(5);
  const rawSockets = new Set<Socket>();
  let keyedAttempts = 0;
  let contextIndex = 0;

  const changed = events.changed;
  const hooks = {
    settings: {
      msPerChar: opts.msPerChar ?? 50,
      chunkMs: opts.chunkMs ?? 100,
      firstChunkDelayMs: opts.firstChunkDelayMs ?? 0,
      chunkIntervalMs: opts.chunkIntervalMs ?? 0,
      maxBufferDelayCapMs: opts.maxBufferDelayCapMs ?? Number.POSITIVE_INFINITY,
      errorIncludesContextId: opts.errorIncludesContextId ?? true,
    },
    idleCloseMs: opts.idleCloseMs ?? 300_000,
    contexts,
    frames,
    violations,
    nextScript(contextId: string): CartesiaContextScript {
      const i = contextIndex++;
      const queued = queuedScripts.shift();
      if (queued) return queued;
      const s = opts.contexts;
      return (typeof s === 'function' ? s(i, contextId) : s?.[i]) ?? {};
    },
    sinceStartMs: () => Date.now() - startedAt,
    changed,
  };

  const wss = new WebSocketServer({ noServer: true });
  const server = createServer(testTlsServerOptions(), (_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error_code":"not_found"}');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const record = (status: number): void => {
      upgrades.push({ status, atMs: Date.now() - startedAt, path: url.pathname, query, headers: req.headers });
      changed();
    };
    const reject = (fault: CartesiaUpgradeFault): void => {
      record(fault.status);
      rejectUpgrade(socket, fault);
    };
    socket.on('error', () => undefined);
    rawSockets.add(socket);
    socket.once('close', () => rawSockets.delete(socket));
    if (url.pathname !== '/tts/websocket') return reject({ status: 404 });
    if (presentedKey(req, query) !== apiKey) return reject({ status: 401, message: 'Invalid API key' });
    // On WebSockets the `cartesia_version` query "will take precedence" over the header
    // (https://docs.cartesia.ai/use-the-api/api-conventions).
    const version = query['cartesia_version'] ?? req.headers['cartesia-version'];
    if ((opts.requireVersion ?? true) && (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version))) {
      return reject({ status: 400, message: 'Missing or invalid Cartesia-Version' });
    }
    const fault = queuedFaults.shift() ?? opts.upgradeFault?.(keyedAttempts);
    keyedAttempts += 1;
    if (fault?.hang) {
      record(0);
      return;
    }
    if (fault) return reject(fault);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new CartesiaConnection(ws, socket, connections.length, req.headers, query, hooks);
      connections.push(conn);
      record(101);
    });
  });

  const { port, url } = await listen(server);

  return {
    url,
    port,
    apiKey,
    ca: TEST_TLS_CERT,
    connections,
    upgrades,
    frames,
    contexts,
    violations,
    scriptContexts: (...scripts) => void queuedScripts.push(...scripts),
    failUpgrades: (...faults) => void queuedFaults.push(...faults),
    openConnections: () => connections.filter((c) => c.closed === undefined).length,
    waitFor(predicate, timeoutMs = 2000, what = 'condition') {
      return events.waitFor(predicate, timeoutMs, `fake Cartesia: ${what} not met within ${timeoutMs} ms`);
    },
    closeSockets(code = 1000, reason = '') {
      for (const c of connections) if (c.closed === undefined) c.close(code, reason);
    },
    async close() {
      for (const s of rawSockets) s.destroy(); // upgrades left hanging, too
      await closeServer(server, wss);
      await Promise.all(connections.map((c) => c.done));
    },
  };
}
