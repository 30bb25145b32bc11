import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { changeWaiter } from '../change-waiter';
import { closeServer, listen } from '../net';
import { refuseUpgrade } from '../upgrade-refusal';
import type { FakeAudioEncoding } from '../cartesia/fake-audio';
import { ElevenLabsSession } from './session';
import type {
  ElevenLabsSessionScript,
  ElevenLabsUpgradeFault,
  ElevenLabsUpgradeRecord,
  FakeElevenLabsOptions,
  FakeElevenLabsSession,
} from './types';

export interface FakeElevenLabs {
  /** `ws://127.0.0.1:PORT`: the provider's `baseUrl`. */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** Accepted sockets, in order. */
  readonly sessions: readonly FakeElevenLabsSession[];
  /** Every upgrade attempt, including rejected ones. */
  readonly upgrades: readonly ElevenLabsUpgradeRecord[];
  /** Protocol violations over all sessions. */
  readonly violations: readonly string[];
  /** Queue scripts for the next sessions (used before the `sessions` option). */
  scriptSessions(...scripts: ElevenLabsSessionScript[]): void;
  /** Queue faults for the next upgrade attempts (used before the `upgradeFault` option). */
  failUpgrades(...faults: ElevenLabsUpgradeFault[]): void;
  openConnections(): number;
  /** Resolves once `predicate` holds (checked on every fake event and every 5 ms), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

const PATH = /^\/v1\/text-to-speech\/([^/]+)\/stream-input$/;
const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };
const DETAIL: Record<number, string> = { 400: 'invalid_request', 401: 'invalid_api_key', 404: 'voice_not_found', 429: 'too_many_concurrent_requests' };

/** `ulaw_8000` and `pcm_<rate>` render; other formats (mp3, opus, alaw) would need an encoder the fake lacks. */
function parseFormat(value: string | undefined): { encoding: FakeAudioEncoding; sampleRate: number } | undefined {
  if (value === 'ulaw_8000') return { encoding: 'mulaw', sampleRate: 8000 };
  const pcm = /^pcm_(8000|16000|22050|24000|44100|48000)$/.exec(value ?? '');
  return pcm ? { encoding: 's16le', sampleRate: Number(pcm[1]) } : undefined;
}

function rejectUpgrade(socket: Socket, fault: ElevenLabsUpgradeFault): void {
  const text = STATUS_TEXT[fault.status] ?? 'Error';
  // The REST error body shape: {"detail":{"status":"invalid_api_key","message":"..."}}.
  const body = JSON.stringify({ detail: { status: fault.detailStatus ?? DETAIL[fault.status] ?? 'error', message: fault.message ?? text } });
  refuseUpgrade(socket, { status: fault.status, reason: text, body, retryAfter: fault.retryAfter });
}

/**
 * A fake ElevenLabs `stream-input` WebSocket (`/v1/text-to-speech/{voice_id}/stream-input`) on plain ws 127.0.0.1,
 * enforcing the BOS / trailing-space / EOS rules of
 * https://elevenlabs.io/docs/api-reference/text-to-speech/v-1-text-to-speech-voice-id-stream-input and recording what
 * crossed the wire.
 *
 * Auth: a wrong `xi-api-key` header is refused at the upgrade with 401 (the REST API's answer); with no header the
 * key must come in the BOS message, and a wrong one closes the socket 1008 `invalid_api_key`.
 */
export async function startFakeElevenLabs(opts: FakeElevenLabsOptions = {}): Promise<FakeElevenLabs> {
  const apiKey = opts.apiKey ?? 'xi_test_key';
  const startedAt = Date.now();
  const sessions: ElevenLabsSession[] = [];
  const upgrades: ElevenLabsUpgradeRecord[] = [];
  const violations: string[] = [];
  const queuedScripts: ElevenLabsSessionScript[] = [];
  const queuedFaults: ElevenLabsUpgradeFault[] = [];
  const events = changeWaiter(5);
  const changed = events.changed;
  const rawSockets = new Set<Socket>();
  let attempts = 0;

  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":{"status":"not_found"}}');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const reject = (fault: ElevenLabsUpgradeFault): void => {
      upgrades.push({ status: fault.status, atMs: Date.now() - startedAt, path: url.pathname, query, headers: req.headers });
      rejectUpgrade(socket, fault);
      changed();
    };
    socket.on('error', () => undefined);
    rawSockets.add(socket);
    socket.once('close', () => rawSockets.delete(socket));
    const route = PATH.exec(url.pathname);
    if (!route) return reject({ status: 404, message: 'Not found' });
    const headerKey = req.headers['xi-api-key'];
    if (headerKey !== undefined && headerKey !== apiKey) return reject({ status: 401, message: 'Invalid API key' });
    const format = parseFormat(query['output_format'] ?? 'mp3_44100');
    if (!format) return reject({ status: 400, detailStatus: 'invalid_output_format', message: `The fake renders ulaw_8000 and pcm_*, not ${query['output_format'] ?? 'mp3_44100'}` });
    const fault = queuedFaults.shift() ?? opts.upgradeFault?.(attempts);
    attempts += 1;
    if (fault?.hang) {
      upgrades.push({ status: 0, atMs: Date.now() - startedAt, path: url.pathname, query, headers: req.headers });
      changed();
      return;
    }
    if (fault) return reject(fault);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const index = sessions.length;
      const s = opts.sessions;
      const script = queuedScripts.shift() ?? (typeof s === 'function' ? s(index) : s?.[index]) ?? {};
      const fromQuery = Number(query['inactivity_timeout']);
      const session = new ElevenLabsSession(ws, socket, index, decodeURIComponent(route[1] ?? ''), query, req.headers, {
        apiKey,
        headerAuthenticated: headerKey === apiKey,
        ...format,
        msPerChar: opts.msPerChar ?? 50,
        chunkMs: opts.chunkMs ?? 100,
        firstChunkDelayMs: opts.firstChunkDelayMs ?? 0,
        chunkIntervalMs: opts.chunkIntervalMs ?? 0,
        inactivityTimeoutMs: opts.inactivityTimeoutMs ?? (Number.isFinite(fromQuery) && fromQuery > 0 ? fromQuery * 1000 : 20_000),
        strict: opts.strict ?? true,
        alignment: opts.alignment ?? true,
        script,
        changed,
        violation: (v) => violations.push(v),
      });
      sessions.push(session);
      upgrades.push({ status: 101, atMs: Date.now() - startedAt, path: url.pathname, query, headers: req.headers });
      changed();
    });
  });

  const { port, url } = await listen(server);

  return {
    url: url.replace(/^http:/, 'ws:'),
    port,
    apiKey,
    sessions,
    upgrades,
    violations,
    scriptSessions: (...scripts) => void queuedScripts.push(...scripts),
    failUpgrades: (...faults) => void queuedFaults.push(...faults),
    openConnections: () => sessions.filter((s) => s.closed === undefined).length,
    waitFor: (predicate, timeoutMs = 2000, what = 'condition') =>
      events.waitFor(predicate, timeoutMs, `fake ElevenLabs: ${what} not met within ${timeoutMs} ms`),
    async close() {
      for (const s of rawSockets) s.destroy(); // upgrades left hanging, too
      await closeServer(server, wss);
      await Promise.all(sessions.map((s) => s.done));
    },
  };
}
