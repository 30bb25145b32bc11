import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { closeServer, listen } from '../net';
import { serveChat } from './chat';
import { MultipartError, parseMultipart } from './multipart';
import { ScriptedResponse } from './scripted-response';
import { serveSpeech } from './speech';
import { serveTranscription } from './transcriptions';
import type {
  ChatScript,
  FakeOpenAiEndpoint,
  MultipartForm,
  RecordedRequest,
  Scripted,
  SpeechScript,
  TranscriptionScript,
} from './types';

export interface FakeOpenAiOptions {
  /** The key the fake accepts in `Authorization: Bearer`; any other gets 401. Default `test-key`. */
  apiKey?: string;
  /** Reply used when a chat script gives no deltas. Default `Hello there, how can I help?`. */
  defaultReply?: string;
  /** Transcript used when a transcription script gives no text. Default `hello world`. */
  defaultTranscript?: string;
  /** Scripts used when the per-request queue (`fake.script.*`) is empty. */
  chat?: Scripted<ChatScript>;
  speech?: Scripted<SpeechScript>;
  transcription?: Scripted<TranscriptionScript>;
  /** Larger bodies get 413. Default 26 MB (the 25 MB upload limit plus multipart overhead). */
  maxBodyBytes?: number;
}

export interface FakeOpenAi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `baseURL` for the openai SDK (it includes `/v1`). */
  readonly baseUrlOpenAi: string;
  /** `baseURL` for groq-sdk (the root: the SDK appends `/openai/v1/...`). */
  readonly baseUrlGroq: string;
  readonly apiKey: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Queue scripts for the next requests of each endpoint (first in, first used). */
  readonly script: {
    chat(...scripts: Array<Scripted<ChatScript>>): void;
    speech(...scripts: Array<Scripted<SpeechScript>>): void;
    transcription(...scripts: Array<Scripted<TranscriptionScript>>): void;
  };
  /** Requests whose response has not ended (completed, aborted or destroyed) yet. */
  inFlight(): number;
  /** TCP connections currently open (keep-alive sockets included). */
  openConnections(): number;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<RecordedRequest[]>;
  /** Resolves when every request so far has settled. */
  settled(): Promise<void>;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

const ROUTE = /^(\/openai)?\/v1\/(chat\/completions|audio\/speech|audio\/transcriptions)$/;
const ENDPOINTS: Record<string, FakeOpenAiEndpoint> = {
  'chat/completions': 'chat',
  'audio/speech': 'speech',
  'audio/transcriptions': 'transcriptions',
};

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= limit) parts.push(b);
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(parts)));
    req.on('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a fake of the OpenAI HTTP API (chat completions SSE, audio speech, audio transcriptions) on 127.0.0.1, served
 * under both `/v1/...` (OpenAI) and `/openai/v1/...` (Groq's OpenAI-compatible API,
 * https://console.groq.com/docs/openai).
 */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const apiKey = options.apiKey ?? 'test-key';
  const maxBody = options.maxBodyBytes ?? 26 * 1024 * 1024;
  const requests: RecordedRequest[] = [];
  const queues = { chat: [] as Array<Scripted<ChatScript>>, speech: [] as Array<Scripted<SpeechScript>>, transcription: [] as Array<Scripted<TranscriptionScript>> };
  const sockets = new Set<Socket>();
  const pending = new Set<Promise<RecordedRequest>>();
  const waiters: Array<() => void> = [];
  let closing = false;

  const pick = <T>(queue: Array<Scripted<T>>, fallback: Scripted<T> | undefined, record: RecordedRequest): T => {
    const s = queue.shift() ?? fallback ?? ({} as T);
    return typeof s === 'function' ? (s as (r: RecordedRequest) => T)(record) : s;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = ROUTE.exec(path);
    const body = await readBody(req, maxBody);
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const endpoint = route ? (ENDPOINTS[route[2] ?? ''] ?? 'unknown') : 'unknown';
    let form: MultipartForm | undefined;
    let formError: string | undefined;
    if (endpoint === 'transcriptions' && raw.length > 0) {
      try {
        form = parseMultipart(raw, req.headers['content-type']);
      } catch (e) {
        if (!(e instanceof MultipartError)) throw e;
        formError = e.message;
      }
    }
    let settle!: (r: RecordedRequest) => void;
    const settled = new Promise<RecordedRequest>((r) => (settle = r));
    const record: RecordedRequest = {
      index: requests.length,
      method: req.method ?? 'GET',
      path,
      vendor: route?.[1] ? 'groq' : 'openai',
      endpoint,
      headers: req.headers,
      rawBody: raw,
      json: endpoint === 'transcriptions' ? undefined : parseJson(raw),
      form,
      bodyWrites: 0,
      outcome: 'pending',
      clientAborted: false,
      settled,
    };
    requests.push(record);
    pending.add(settled);
    void settled.then(() => pending.delete(settled));
    for (const w of waiters.splice(0)) w();

    const closed = new AbortController();
    const finish = (): void => {
      if (record.outcome === 'pending') {
        if (res.writableFinished) record.outcome = 'completed';
        else if (closing) record.outcome = 'server-hung-up';
        else {
          record.outcome = 'client-aborted';
          record.clientAborted = true;
        }
      }
      closed.abort();
      settle(record);
    };
    res.on('close', finish);
    if (res.destroyed || body === 'aborted') return finish();

    const out = new ScriptedResponse(res, record, {}, closed.signal);
    if (body === 'too-large') return out.sendError(413, { error: { message: 'Request entity too large', type: 'invalid_request_error', param: null, code: null } });
    if (!route) return out.sendError(404, { error: { message: `Unknown request URL: ${req.method} ${path}.`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
    if (req.method !== 'POST') return out.sendError(405, { error: { message: `Method ${req.method} not allowed.`, type: 'invalid_request_error', param: null, code: null } });
    if (req.headers.authorization !== `Bearer ${apiKey}`) return out.sendError(401);

    if (endpoint === 'chat') {
      const script = pick(queues.chat, options.chat, record);
      return serveChat(new ScriptedResponse(res, record, script, closed.signal), record, script, options.defaultReply ?? 'Hello there, how can I help?');
    }
    if (endpoint === 'speech') {
      const script = pick(queues.speech, options.speech, record);
      return serveSpeech(new ScriptedResponse(res, record, script, closed.signal), record, script);
    }
    if (formError !== undefined) return out.sendError(400, { error: { message: formError, type: 'invalid_request_error', param: null, code: null } });
    const script = pick(queues.transcription, options.transcription, record);
    return serveTranscription(new ScriptedResponse(res, record, script, closed.signal), record, script, options.defaultTranscript ?? 'hello world');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // A bug in a script function: answer 500 if we still can, else drop the connection.
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const { url } = await listen(server);

  return {
    url,
    baseUrlOpenAi: `${url}/v1`,
    baseUrlGroq: url,
    apiKey,
    requests,
    script: {
      chat: (...s) => void queues.chat.push(...s),
      speech: (...s) => void queues.speech.push(...s),
      transcription: (...s) => void queues.transcription.push(...s),
    },
    inFlight: () => requests.filter((r) => r.outcome === 'pending').length,
    openConnections: () => sockets.size,
    async waitForRequests(count) {
      while (requests.length < count) await new Promise<void>((r) => waiters.push(r));
      return requests.slice(0, count);
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async close() {
      closing = true;
      await closeServer(server);
    },
  };
}
