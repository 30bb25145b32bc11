import { type AudioChunk, type AudioFormat, MULAW_8K } from '@voice/audio-codec';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { untilAborted } from '../abort';
import { SentenceStream } from '../sentence-stream';
import { classifyFailure, type TtsErrorCode, TtsError } from '../tts-error';
import type { ClosableTtsProvider, SynthesizeOptions } from '../types';

export interface CsmBridgeTtsOptions {
  /** The bridge root, `ws://host:port` (or `wss://`; `http(s)://` is accepted and switched). */
  readonly baseUrl: string;
  /** The bridge session, i.e. one call's context on the bridge (unique per call; apps/csm-bridge/README.md). */
  readonly sessionId: string;
  /** `voice_profile_id` (default `default`). */
  readonly voiceProfileId?: string;
  /** Sent as `Authorization: Bearer` on the upgrade, for a proxy in front of the bridge. Never logged. */
  readonly apiKey?: string;
  /** Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** A sentence fails with TTS_TIMEOUT when no audio message comes for this long (default 10000 ms). */
  readonly responseTimeoutMs?: number;
  readonly logger?: Logger;
  /** Default `csm-bridge`. */
  readonly name?: string;
}

const TTS_CODES = new Set<string>(['TTS_AUTH', 'TTS_RATE_LIMITED', 'TTS_BAD_REQUEST', 'TTS_PROVIDER_ERROR', 'TTS_TIMEOUT', 'TTS_CONNECTION_LOST', 'TTS_PROTOCOL', 'TTS_NO_AUDIO']);

/** A bridge error message as a TtsError: provider codes pass through, the bridge's own map onto the closest one. */
function bridgeError(provider: string, m: { error?: unknown; code?: unknown; retryable?: unknown }): TtsError {
  const code = typeof m.code === 'string' ? m.code : 'UNKNOWN';
  const mapped: TtsErrorCode = TTS_CODES.has(code)
    ? (code as TtsErrorCode)
    : code === 'QUEUE_FULL'
      ? 'TTS_RATE_LIMITED'
      : code === 'BAD_MESSAGE' || code === 'UNKNOWN_PROFILE'
        ? 'TTS_BAD_REQUEST'
        : 'TTS_PROVIDER_ERROR';
  const message = `${provider}: ${code}: ${typeof m.error === 'string' ? m.error : 'bridge error'}`;
  return new TtsError(mapped, message, { provider, retryable: typeof m.retryable === 'boolean' ? m.retryable : mapped === 'TTS_RATE_LIMITED', cause: m });
}

/**
 * CSM through apps/csm-bridge, as a TtsProvider: the CSM WebSocket protocol (apps/csm-bridge/README.md,
 * `/v1/native/ws/:sessionId`) with its optional `request_id` so each call yields exactly its own μ-law 8 kHz audio and
 * ends at the bridge's `done`. One socket per instance (one bridge session, so one context: make one instance per
 * call), opened on first use and reopened after the bridge closed it. An abort sends `{"type":"cancel"}`, which stops
 * the CSM request on the bridge (and drops sentences queued behind it there: barge-in ends the whole reply).
 */
export class CsmBridgeTts implements ClosableTtsProvider {
  readonly name: string;
  readonly format: AudioFormat = MULAW_8K;
  private readonly url: string;
  private readonly requests = new Map<string, SentenceStream>();
  private socket: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private seq = 0;
  private closed = false;

  constructor(private readonly o: CsmBridgeTtsOptions) {
    this.name = o.name ?? 'csm-bridge';
    const base = o.baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
    if (!/^wss?:\/\//.test(base) || !o.sessionId) {
      throw new TtsError('TTS_INVALID_OPTIONS', `${this.name}: baseUrl must be ws(s):// and sessionId is required`, { provider: this.name, retryable: false });
    }
    this.url = `${base}/v1/native/ws/${encodeURIComponent(o.sessionId)}`;
  }

  synthesize(text: string, o: SynthesizeOptions): AsyncIterable<AudioChunk> {
    return this.run(text, o);
  }

  async close(): Promise<void> {
    this.closed = true;
    const ws = this.socket ?? (await this.opening?.catch(() => undefined));
    this.socket = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.close(1000, 'done');
    const timer = setTimeout(() => ws.terminate(), 1000);
    await gone;
    clearTimeout(timer);
  }

  private async *run(text: string, o: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    if (o.signal.aborted || text.trim() === '') return;
    if (this.closed) throw new TtsError('TTS_INVALID_OPTIONS', `${this.name}: synthesize after close()`, { provider: this.name, retryable: false });
    const ws = await untilAborted(this.open(), o.signal);
    if (!ws) return;
    const id = `${o.context?.turnId ?? 'tts'}.${++this.seq}`;
    const timeoutMs = this.o.responseTimeoutMs ?? 10_000;
    const stream = new SentenceStream(timeoutMs, () => classifyFailure({ timeout: true, reason: `no audio from the bridge for ${timeoutMs} ms` }, this.name));
    this.requests.set(id, stream);
    stream.activate();
    ws.send(JSON.stringify({ type: 'synthesize', text, voice_profile_id: this.o.voiceProfileId ?? 'default', request_id: id }));
    let cancel = true;
    try {
      for await (const data of stream.read(o.signal)) yield { data, format: MULAW_8K };
      cancel = o.signal.aborted;
    } catch (e) {
      // A failure the bridge reported is over there; a timeout of ours is not, so it is cancelled too.
      cancel = e instanceof TtsError && e.code === 'TTS_TIMEOUT';
      throw e;
    } finally {
      stream.end();
      this.requests.delete(id);
      if (cancel && ws.readyState === WebSocket.OPEN) ws.send('{"type":"cancel"}');
    }
  }

  private open(): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private connect(): Promise<WebSocket> {
    const headers = this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : undefined;
    const ws = new WebSocket(this.url, { headers, handshakeTimeout: this.o.connectTimeoutMs ?? 5000 });
    return new Promise((resolve, reject) => {
      const fail = (e: TtsError): void => {
        ws.removeAllListeners('open');
        ws.terminate();
        reject(e);
      };
      ws.on('unexpected-response', (_req, res) => fail(classifyFailure({ status: res.statusCode, reason: 'upgrade refused' }, this.name)));
      ws.on('error', (e) => {
        if (ws.readyState !== WebSocket.OPEN) fail(classifyFailure({ reason: 'could not connect to the bridge' }, this.name, e));
        else this.o.logger?.warn({ err: e.message }, 'csm-bridge: socket error');
      });
      ws.once('open', () => {
        this.socket = ws;
        resolve(ws);
      });
      ws.on('message', (data, isBinary) => this.onMessage(isBinary ? '' : data.toString()));
      ws.on('close', (code, reason) => {
        if (this.socket === ws) this.socket = undefined;
        const error = classifyFailure({ closeCode: code, reason: reason.toString() || undefined }, this.name);
        for (const s of this.requests.values()) s.fail(error);
      });
    });
  }

  private onMessage(text: string): void {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.o.logger?.warn('csm-bridge: a message that is not JSON');
      return;
    }
    const id = typeof m['request_id'] === 'string' ? m['request_id'] : undefined;
    const stream = id === undefined ? undefined : this.requests.get(id);
    if (m['type'] === 'audio' && typeof m['audio_base64'] === 'string') stream?.push(Buffer.from(m['audio_base64'], 'base64'));
    else if (m['type'] === 'done') stream?.end();
    else if (m['type'] === 'error') {
      if (stream) stream.fail(bridgeError(this.name, m));
      else this.o.logger?.warn({ code: m['code'] }, 'csm-bridge: an error for no open request');
    }
  }
}
