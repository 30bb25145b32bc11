import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { changeWaiter } from '../change-waiter';
import { closeServer, listen } from '../net';
import { type FakeCsmGeneration, type Responder, sendHttpError, sendWhole, streamNdjson } from './respond';
import type { CsmRecordedRequest, CsmResponseMode, CsmScript, CsmScripted, CsmServiceStatus, FakeCsmOptions } from './types';
import { defaultErrorCode, parseTtsBody, readContextClips } from './validate';

export interface FakeCsm {
  /** `http://127.0.0.1:<port>`: the provider's `baseUrl` (`CSM_ENDPOINT`). */
  readonly url: string;
  /** The key required in `Authorization: Bearer`, when the fake was started with one. */
  readonly apiKey?: string;
  /** Every request (any path), in arrival order. */
  readonly requests: CsmRecordedRequest[];
  /** `POST /tts` and `/tts/stream` requests only. */
  ttsRequests(): CsmRecordedRequest[];
  /** Queue scripts for the next `/tts` requests (first in, first used). */
  script(...scripts: CsmScripted[]): void;
  /** Current `/health` state. */
  readonly status: CsmServiceStatus;
  /** Switch `/health` and `/tts` between `loading` (503 `model_loading`), `ok` and `error` (503 `model_failed`). */
  setStatus(status: CsmServiceStatus, error?: string): void;
  /** `/tts` responses not over yet. */
  inFlight(): number;
  /** TCP connections open now (keep-alive sockets included). */
  openConnections(): number;
  /** TCP connections accepted since start (a keep-alive client reuses one). */
  connectionCount(): number;
  /** Resolves once `predicate()` holds (checked on every request event and every 10 ms); rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Resolves once `count` `/tts` requests have arrived. */
  waitForTtsRequests(count: number, timeoutMs?: number): Promise<CsmRecordedRequest[]>;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

/** `Accept` negotiation of `POST /tts` (services/csm-gpu README): NDJSON, WAV, else JSON. `/tts/stream` is always NDJSON. */
function modeOf(path: string, accept: string | undefined): CsmResponseMode {
  if (path === '/tts/stream' || (accept ?? '').includes('application/x-ndjson')) return 'ndjson';
  return (accept ?? '').includes('audio/wav') ? 'wav' : 'json';
}

/**
 * A fake of services/csm-gpu on 127.0.0.1 (port 0) speaking its HTTP contract: `GET /health`, `GET /ready`,
 * `POST /tts` (WAV, NDJSON stream or JSON by `Accept`) and `POST /tts/stream`, with the service's error bodies
 * (413/422/503), schema validation and context-audio caps. Audio is a tone whose length follows the text, streamed in
 * 80 ms frames. Scripts add slow first audio, hangs, mid-stream errors and socket drops; every request is recorded,
 * including whether the client aborted it.
 */
export async function startFakeCsm(options: FakeCsmOptions = {}): Promise<FakeCsm> {
  const gen: FakeCsmGeneration = {
    msPerChar: options.msPerChar ?? 65,
    frameMs: options.frameMs ?? 0,
    firstChunkFrames: options.firstChunkFrames ?? 2,
    chunkFrames: options.chunkFrames ?? 4,
    toneHz: options.toneHz ?? 440,
  };
  const caps = { maxClipSeconds: options.maxClipSeconds ?? 30, maxContextSeconds: options.maxContextSeconds ?? 120 };
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const startedAt = Date.now();
  let status: CsmServiceStatus = options.status ?? 'ok';
  let statusError: string | null = null;
  const currentStatus = (): CsmServiceStatus => (status === 'ok' && Date.now() - startedAt < (options.loadingMs ?? 0) ? 'loading' : status);
  const requests: CsmRecordedRequest[] = [];
  const queue: CsmScripted[] = [];
  const sockets = new Set<Socket>();
  const events = changeWaiter(10);
  const notify = events.changed;
  let closing = false;
  let accepted = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const raw = await readBody(req);
    let settle!: (r: CsmRecordedRequest) => void;
    const record: CsmRecordedRequest = {
      index: requests.length,
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      rawBody: raw ?? Buffer.alloc(0),
      clips: [],
      contextSeconds: 0,
      audioChunks: 0,
      samples: 0,
      outcome: 'pending',
      settled: new Promise((resolve) => (settle = resolve)),
    };
    requests.push(record);
    const closed = new AbortController();
    const finish = (): void => {
      if (record.outcome === 'pending') record.outcome = res.writableFinished ? 'completed' : closing ? 'server-hung-up' : 'client-aborted';
      closed.abort();
      settle(record);
      notify();
    };
    res.on('close', finish);
    notify();
    if (raw === undefined || res.destroyed) return finish();
    const json = (code: number, body: unknown): void => {
      record.status = code;
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const r = (script: CsmScript): Responder => ({ res, record, script, closed: closed.signal, gen, startedAt: Date.now() });

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendHttpError(r({}), { status: 401, code: 'unauthorized', message: 'missing or wrong bearer token' });
    }
    const s = currentStatus();
    if (req.method === 'GET' && path === '/health') return json(200, { status: s, model_loaded: s === 'ok', device: options.device ?? 'cpu', error: statusError });
    if (req.method === 'GET' && path === '/ready') {
      return s === 'ok' ? json(200, { status: 'ok' }) : sendHttpError(r({}), notReady(s, statusError));
    }
    if (path !== '/tts' && path !== '/tts/stream') return json(404, { detail: 'Not Found' });
    if (req.method !== 'POST') return json(405, { detail: 'Method Not Allowed' });

    record.mode = modeOf(path, req.headers.accept);
    const next = queue.shift() ?? options.tts ?? {};
    const script = typeof next === 'function' ? next(record) : next;
    const out = r(script);
    if (record.rawBody.length > maxBody) {
      return sendHttpError(out, { status: 413, code: 'body_too_large', message: `body is ${record.rawBody.length} bytes; the cap is ${maxBody}`, details: { max_bytes: maxBody } });
    }
    if (script.status !== undefined && script.status >= 400) {
      const code = script.code ?? defaultErrorCode(script.status);
      const retryable = script.retryable ?? (script.status === 429 || (script.status === 503 && code !== 'model_failed'));
      const message = script.message ?? `scripted ${script.status} ${code}`;
      return sendHttpError(out, { status: script.status, code, message, retryable, details: script.details }, script.retryAfter);
    }
    const body = parseTtsBody(record.rawBody);
    if ('status' in body) return sendHttpError(out, body);
    record.body = body;
    if (s !== 'ok') return sendHttpError(out, notReady(s, statusError));
    const clips = readContextClips(body, caps);
    if ('status' in clips) return sendHttpError(out, clips);
    record.clips = clips;
    record.contextSeconds = clips.reduce((n, c) => n + c.seconds, 0);
    if (record.mode === 'ndjson') return streamNdjson(out, body);
    return sendWhole(out, body, record.mode);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    accepted += 1;
    socket.on('close', () => {
      sockets.delete(socket);
      notify();
    });
  });
  const { url } = await listen(server);
  const tts = (): CsmRecordedRequest[] => requests.filter((q) => q.path === '/tts' || q.path === '/tts/stream');

  const fake: FakeCsm = {
    url,
    apiKey: options.apiKey,
    requests,
    ttsRequests: tts,
    script: (...scripts) => void queue.push(...scripts),
    get status() {
      return currentStatus();
    },
    setStatus(next, error) {
      status = next;
      statusError = next === 'error' ? (error ?? 'RuntimeError: scripted load failure') : null;
    },
    inFlight: () => tts().filter((q) => q.outcome === 'pending').length,
    openConnections: () => sockets.size,
    connectionCount: () => accepted,
    waitFor: (predicate, timeoutMs = 2000, what = 'condition') =>
      events.waitFor(predicate, timeoutMs, `fake CSM: ${what} not reached within ${timeoutMs} ms`),
    async waitForTtsRequests(count, timeoutMs = 2000) {
      await fake.waitFor(() => tts().length >= count, timeoutMs, `${count} /tts requests`);
      return tts();
    },
    async close() {
      closing = true;
      await closeServer(server);
    },
  };
  return fake;
}

function notReady(s: CsmServiceStatus, error: string | null): { status: number; code: string; message: string; retryable: boolean } {
  return s === 'error'
    ? { status: 503, code: 'model_failed', message: `model failed to load: ${error ?? 'unknown'}`, retryable: false }
    : { status: 503, code: 'model_loading', message: 'model is loading or warming up; poll /health', retryable: true };
}
