import { type AudioChunk, type AudioFormat, createTranscoder, MULAW_8K, pcm16Format } from '@voice/audio-codec';
import OpenAI from 'openai';
import type { Logger } from 'pino';
import { linkedController } from '../abort';
import { retryBeforeAudio, retryPolicy, type RetryPolicy } from '../retry';
import { classifyFailure, parseRetryAfter, protocolError, TtsError } from '../tts-error';
import type { SynthesizeOptions, TtsProvider } from '../types';

export interface OpenAiTtsOptions {
  readonly apiKey: string;
  /** Default `https://api.openai.com/v1` (the SDK's baseURL includes `/v1`). */
  readonly baseUrl?: string;
  /** Default `gpt-4o-mini-tts`. */
  readonly model?: string;
  /** Default `alloy`. */
  readonly voice?: string;
  /** 0.25–4.0; default: the API's (1.0). */
  readonly speed?: number;
  /** Style instructions (not for tts-1 / tts-1-hd). */
  readonly instructions?: string;
  /** Longest wait for the response headers, and between two body chunks, before TTS_TIMEOUT (default 5000 ms). */
  readonly responseTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: Logger;
  /** Default `openai-tts`. */
  readonly name?: string;
}

/**
 * `pcm` from the speech endpoint: "raw samples in 24kHz (16-bit signed, low-endian), without the header"
 * (https://platform.openai.com/docs/api-reference/audio/createSpeech).
 */
const SOURCE = pcm16Format(24_000);
/** 20 ms of the 24 kHz s16le source: converted and yielded before the rest of the first network chunk. */
const FIRST_BYTES = 960;

// Key shapes (`sk-...`), masked in vendor text even when the vendor echoes part of a key back.
const KEY_PATTERN = /\bsk-[A-Za-z0-9_*-]{6,}/g;

/**
 * OpenAI text-to-speech through the openai SDK: `audio.speech.create({ response_format: 'pcm' })`, 24 kHz PCM16,
 * transcoded once per sentence by a streaming `createTranscoder` to μ-law 8 kHz (MULAW_8K) as the bytes arrive.
 */
export class OpenAiTts implements TtsProvider {
  readonly name: string;
  readonly format: AudioFormat = MULAW_8K;
  private readonly client: OpenAI;
  private readonly policy: RetryPolicy;

  constructor(private readonly o: OpenAiTtsOptions) {
    if (!o.apiKey) throw new TtsError('TTS_INVALID_OPTIONS', 'openai-tts: apiKey is required', { provider: 'openai-tts', retryable: false });
    this.name = o.name ?? 'openai-tts';
    // The SDK retries twice and waits 10 minutes by default (openai-node README, "Retries" and "Timeouts"): our own
    // policy and timer decide instead; the SDK timeout stays only as a backstop.
    this.client = new OpenAI({ apiKey: o.apiKey, baseURL: o.baseUrl ?? 'https://api.openai.com/v1', maxRetries: 0, timeout: 120_000 });
    this.policy = retryPolicy(o.retry);
  }

  synthesize(text: string, o: SynthesizeOptions): AsyncIterable<AudioChunk> {
    return retryBeforeAudio(() => this.attempt(text, o.signal), this.policy, o.signal, (error, delayMs) =>
      this.o.logger?.warn({ provider: this.name, code: error.code, delayMs }, 'openai-tts: retrying sentence'),
    );
  }

  private async *attempt(text: string, signal: AbortSignal): AsyncGenerator<AudioChunk> {
    if (signal.aborted || text.trim() === '') return;
    // One controller per request: the caller's abort, or our silence timer, aborts the fetch and its body.
    const { controller, release } = linkedController(signal);
    const timeoutMs = this.o.responseTimeoutMs ?? 5000;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
    };
    const failure = (e: unknown): TtsError =>
      timedOut ? classifyFailure({ timeout: true, reason: `no response data for ${timeoutMs} ms` }, this.name, e) : this.toTtsError(e);
    try {
      arm();
      let body: ReadableStream<Uint8Array> | null;
      try {
        const res = await this.client.audio.speech.create(
          { model: this.o.model ?? 'gpt-4o-mini-tts', voice: this.o.voice ?? 'alloy', input: text, response_format: 'pcm', speed: this.o.speed, instructions: this.o.instructions },
          { signal: controller.signal },
        );
        body = res.body;
      } catch (e) {
        if (signal.aborted) return; // APIUserAbortError: an abort before the response is not an error
        throw failure(e);
      }
      if (!body) throw protocolError(this.name, 'the speech response has no body');
      const transcoder = createTranscoder(SOURCE, MULAW_8K);
      let first = true;
      try {
        arm();
        for await (const part of body as unknown as AsyncIterable<Uint8Array>) {
          arm();
          if (signal.aborted) return;
          // Start with the first 20 ms so the first frame is not held back by a large first chunk.
          const pieces = first && part.length > FIRST_BYTES ? [part.subarray(0, FIRST_BYTES), part.subarray(FIRST_BYTES)] : [part];
          first = false;
          for (const piece of pieces) {
            const data = transcoder.process(piece);
            if (data.length > 0) yield { data, format: MULAW_8K };
            if (signal.aborted) return;
          }
        }
        const tail = transcoder.flush();
        if (tail.length > 0) yield { data: tail, format: MULAW_8K };
      } catch (e) {
        if (signal.aborted) return; // the body stream errors with an AbortError once the request is aborted
        throw failure(e);
      }
    } finally {
      clearTimeout(timer);
      // Ends the request on the wire when we stop early (abort, consumer break); a no-op after a full response.
      controller.abort();
      release();
    }
  }

  private toTtsError(e: unknown): TtsError {
    if (e instanceof TtsError) return e;
    if (e instanceof OpenAI.APIConnectionTimeoutError) return classifyFailure({ timeout: true, reason: 'speech request timed out' }, this.name, e);
    if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
      const headers = e.headers;
      const ms = Number(headers?.get('retry-after-ms'));
      const retryAfterMs = Number.isFinite(ms) && ms >= 0 && headers?.get('retry-after-ms') ? ms : parseRetryAfter(headers?.get('retry-after'));
      const vendor = (e.error as { message?: unknown } | undefined)?.message;
      const reason = typeof vendor === 'string' ? vendor.split(this.o.apiKey).join('***').replace(KEY_PATTERN, '***') : undefined;
      return classifyFailure({ status: e.status, retryAfterMs, reason }, this.name, e);
    }
    // APIConnectionError, or the body stream breaking mid-response ("terminated").
    return classifyFailure({ reason: 'the speech request failed on the wire' }, this.name, e);
  }
}
