import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { type AudioChunk, type AudioFormat, bytesPerSecond, createTranscoder, MULAW_8K, pcm16Format, type Transcoder } from '@voice/audio-codec';
import { type ContextBuffer, isContextBufferError } from '@voice/context-buffer';
import type { Logger } from 'pino';
import { retryBeforeAudio, retryPolicy, type RetryPolicy } from '../retry';
import { TtsError } from '../tts-error';
import type { ClosableTtsProvider, SynthesizeOptions } from '../types';
import { CsmExchange, readServiceError, statusError, type CsmTarget } from './csm-http';
import type { CsmMetricSink, CsmRequestMetrics } from './csm-metrics';
import { type CsmServerStats, ndjsonPcm, type PcmPiece, wavPcm } from './csm-response';

export interface CsmTtsOptions {
  /** Root of services/csm-gpu (`CSM_ENDPOINT`), e.g. `http://127.0.0.1:8001`; `https:` works too. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer` when set: csm-gpu has no auth, a proxy in front of it may. Never logged. */
  readonly apiKey?: string;
  /**
   * `stream` (default): `Accept: application/x-ndjson`, audio as it is generated (first chunk after 160 ms of audio).
   * `wav`: `Accept: audio/wav`, the whole utterance once generated (the service buffers it), body read as it arrives.
   */
  readonly mode?: 'stream' | 'wav';
  /** `speaker_id`; default: the conversation's `agentSpeakerId`, or 0 without one. */
  readonly speakerId?: number;
  readonly temperature?: number;
  readonly topk?: number;
  readonly maxAudioLengthMs?: number;
  readonly seed?: number;
  /** What `synthesize` yields; default μ-law 8 kHz (MULAW_8K). `pcm16Format(24000)` passes CSM's audio through. */
  readonly format?: AudioFormat;
  /** Longest wait for the response headers and between body chunks before TTS_TIMEOUT (default 10000 ms). */
  readonly responseTimeoutMs?: number;
  /** Default: no retries (`withFallback` handles failures). A 413 shrink-and-retry is separate and always on. */
  readonly retry?: Partial<RetryPolicy>;
  /** A shared keep-alive agent; default: one of this provider's own (closed by `close()`). */
  readonly agent?: HttpAgent;
  readonly onMetric?: CsmMetricSink;
  readonly logger?: Logger;
  /** Default `csm`. */
  readonly name?: string;
}

interface RequestState {
  attempts: number;
  shrunk: boolean;
  contextSeconds: number;
  requestBytes: number;
  status?: number;
  ttfaMs?: number;
  audioBytes: number;
  server?: CsmServerStats;
}

interface Body {
  readonly body: string;
  readonly bytes: number;
  readonly contextSeconds: number;
}

/** Converted and yielded before the rest of the first piece, so the first frame is not held back. */
const FIRST_MS = 20;

/**
 * Sesame CSM through services/csm-gpu `POST /tts` (the CSM service contract, services/csm-gpu/README.md): the request
 * carries the call's recent turns from `context.conversation` (a @voice/context-buffer ContextBuffer), the 24 kHz PCM16
 * answer is transcoded once per sentence to `format` as it arrives. A 413 halves the conversation window and retries
 * once; every other failure is a coded TtsError for `withFallback` to act on. Aborting `signal` destroys the HTTP
 * request.
 */
export class CsmTts implements ClosableTtsProvider {
  readonly name: string;
  readonly format: AudioFormat;
  private readonly target: CsmTarget;
  private readonly ownAgent: HttpAgent | undefined;
  private readonly policy: RetryPolicy;
  private closed = false;

  constructor(private readonly o: CsmTtsOptions) {
    this.name = o.name ?? 'csm';
    let base: URL;
    try {
      base = new URL(o.baseUrl);
    } catch (cause) {
      throw new TtsError('TTS_INVALID_OPTIONS', `${this.name}: baseUrl is not a URL`, { provider: this.name, retryable: false, cause });
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TtsError('TTS_INVALID_OPTIONS', `${this.name}: baseUrl must be http(s), got ${base.protocol}`, { provider: this.name, retryable: false });
    }
    this.format = o.format ?? MULAW_8K;
    // `lifo` reuses the warmest socket, so idle ones age out instead of all being kept barely alive.
    this.ownAgent = o.agent ? undefined : new (base.protocol === 'https:' ? HttpsAgent : HttpAgent)({ keepAlive: true, scheduling: 'lifo' });
    this.target = { baseUrl: base.href.endsWith('/') ? base.href : `${base.href}/`, apiKey: o.apiKey, agent: o.agent ?? (this.ownAgent as HttpAgent) };
    this.policy = retryPolicy({ maxRetries: 0, ...o.retry });
  }

  synthesize(text: string, o: SynthesizeOptions): AsyncIterable<AudioChunk> {
    return this.run(text, o);
  }

  /** Closes the idle keep-alive sockets of the provider's own agent (a shared `agent` is the owner's to close). */
  async close(): Promise<void> {
    this.closed = true;
    this.ownAgent?.destroy();
  }

  private async *run(text: string, o: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    if (o.signal.aborted || text.trim() === '') return;
    if (this.closed) throw new TtsError('TTS_INVALID_OPTIONS', `${this.name}: synthesize after close()`, { provider: this.name, retryable: false });
    const started = performance.now();
    const state: RequestState = { attempts: 0, shrunk: false, contextSeconds: 0, requestBytes: 0, audioBytes: 0 };
    let outcome: CsmRequestMetrics['outcome'] = 'aborted';
    let error: TtsError | undefined;
    try {
      const chunks = retryBeforeAudio(() => this.attempt(text, o, state, started), this.policy, o.signal, (e, delayMs) =>
        this.o.logger?.warn({ provider: this.name, code: e.code, delayMs }, 'csm: retrying sentence'),
      );
      for await (const chunk of chunks) yield chunk;
      if (!o.signal.aborted) outcome = 'completed';
    } catch (e) {
      outcome = 'failed';
      error = e instanceof TtsError ? e : undefined;
      throw e;
    } finally {
      this.report({
        kind: 'request',
        provider: this.name,
        turnId: o.context?.turnId,
        sentenceIndex: o.context?.sentenceIndex,
        outcome,
        ttfaMs: state.ttfaMs,
        generationMs: performance.now() - started,
        audioMs: (state.audioBytes * 1000) / bytesPerSecond(this.format),
        attempts: state.attempts,
        shrunk: state.shrunk,
        contextSeconds: state.contextSeconds,
        requestBytes: state.requestBytes,
        status: state.status,
        code: error?.code,
        server: state.server,
      });
    }
  }

  private async *attempt(text: string, o: SynthesizeOptions, state: RequestState, started: number): AsyncGenerator<AudioChunk> {
    const conversation = o.context?.conversation;
    const accept = this.o.mode === 'wav' ? 'audio/wav' : 'application/x-ndjson';
    let exchange = this.exchange(o.signal);
    try {
      let res = await this.post(exchange, this.body(text, conversation), state, accept);
      if (res?.statusCode === 413 && conversation && !state.shrunk) {
        // The 413 rule (services/csm-gpu/README.md, context-buffer README): halve the window, for later requests too,
        // and retry once.
        const detail = await readServiceError(res, exchange);
        const before = conversation.windowSeconds;
        const after = conversation.shrink();
        state.shrunk = true;
        this.o.logger?.warn({ provider: this.name, code: detail.code, before, after }, 'csm: 413, context window halved');
        if (before === 0) throw statusError(this.name, res, detail); // text-only already: nothing left to shrink
        exchange.release();
        exchange = this.exchange(o.signal);
        res = await this.post(exchange, this.body(text, conversation), state, accept);
      }
      if (res === undefined) return;
      if (res.statusCode !== 200) throw statusError(this.name, res, await readServiceError(res, exchange));
      const type = res.headers['content-type'] ?? '';
      let pieces: AsyncGenerator<PcmPiece>;
      if (type.startsWith('application/x-ndjson')) {
        state.server = {};
        pieces = ndjsonPcm(this.name, res, () => exchange.arm(), state.server);
      } else if (type.startsWith('audio/wav') || type.startsWith('audio/x-wav')) {
        state.server = wavHeaderStats(res.headers);
        pieces = wavPcm(this.name, res, () => exchange.arm());
      } else {
        throw new TtsError('TTS_PROTOCOL', `${this.name}: unexpected content-type '${type}'`, { provider: this.name, retryable: false });
      }
      yield* this.transcode(pieces, o.signal, state, started, exchange);
    } catch (e) {
      if (o.signal.aborted) return; // the destroyed request surfaces as a socket error: an abort is not one
      throw exchange.failure(e);
    } finally {
      exchange.release();
    }
  }

  private exchange(signal: AbortSignal): CsmExchange {
    return new CsmExchange(this.name, this.o.responseTimeoutMs ?? 10_000, signal);
  }

  private async post(exchange: CsmExchange, body: Body, state: RequestState, accept: string): Promise<IncomingMessage | undefined> {
    state.attempts += 1;
    state.contextSeconds = body.contextSeconds;
    state.requestBytes = body.bytes;
    const res = await exchange.send(this.target, 'tts', body.body, body.bytes, accept);
    state.status = res?.statusCode;
    return res;
  }

  private async *transcode(pieces: AsyncGenerator<PcmPiece>, signal: AbortSignal, state: RequestState, started: number, exchange: CsmExchange): AsyncGenerator<AudioChunk> {
    let transcoder: Transcoder | undefined;
    let first = true;
    for await (const piece of pieces) {
      if (signal.aborted) return;
      transcoder ??= createTranscoder(pcm16Format(piece.sampleRate), this.format);
      const head = first ? Math.round((piece.sampleRate * FIRST_MS) / 1000) * 2 : 0;
      const parts = first && piece.data.length > head ? [piece.data.subarray(0, head), piece.data.subarray(head)] : [piece.data];
      first = false;
      for (const part of parts) {
        const data = transcoder.process(part);
        if (data.length === 0) continue;
        state.ttfaMs ??= performance.now() - started;
        state.audioBytes += data.length;
        // The stall timer measures the service's silence, not how long our reader takes to come back.
        exchange.pause();
        yield { data, format: this.format };
        exchange.arm();
        if (signal.aborted) return;
      }
    }
    const tail = transcoder?.flush();
    if (tail && tail.length > 0 && !signal.aborted) {
      state.audioBytes += tail.length;
      yield { data: tail, format: this.format };
    }
  }

  /** The `POST /tts` body: from the conversation when there is one, else the prompt alone. */
  private body(text: string, conversation: ContextBuffer | undefined): Body {
    const o = this.o;
    if (conversation) {
      try {
        const req = conversation.toRequestBody({ promptText: text, speakerId: o.speakerId, temperature: o.temperature, topk: o.topk, maxAudioLengthMs: o.maxAudioLengthMs, seed: o.seed });
        return { body: req.body, bytes: req.bytes, contextSeconds: req.contextSeconds };
      } catch (e) {
        if (!isContextBufferError(e)) throw e;
        throw new TtsError('TTS_BAD_REQUEST', `${this.name}: ${e.code}: ${e.message}`, { provider: this.name, retryable: false, cause: e });
      }
    }
    const body = JSON.stringify({
      speaker_id: o.speakerId ?? 0,
      prompt_text: text,
      context: [],
      temperature: o.temperature,
      topk: o.topk,
      max_audio_length_ms: o.maxAudioLengthMs,
      seed: o.seed,
    });
    return { body, bytes: Buffer.byteLength(body), contextSeconds: 0 };
  }

  private report(m: CsmRequestMetrics): void {
    try {
      this.o.onMetric?.(m);
    } catch (e) {
      this.o.logger?.error({ err: e }, 'csm: the metrics sink threw');
    }
  }
}

/** `X-CSM-*` headers of a WAV answer (names as csm_gpu/app.py title-cases them; Node lower-cases them). */
function wavHeaderStats(h: IncomingHttpHeaders): CsmServerStats {
  const n = (k: string): number | undefined => {
    const v = Number(h[k]);
    return h[k] === undefined || !Number.isFinite(v) ? undefined : v;
  };
  const stop = h['x-csm-stop-reason'];
  return { stopReason: typeof stop === 'string' ? stop : undefined, ttfaMs: n('x-csm-ttfa-ms'), queuedMs: n('x-csm-queued-ms'), generationMs: n('x-csm-generation-ms') };
}
