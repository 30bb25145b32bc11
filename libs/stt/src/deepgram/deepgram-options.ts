import type { Logger } from 'pino';
import { type BackoffPolicy, DEFAULT_BACKOFF } from '../backoff';

export interface DeepgramSttOptions {
  readonly apiKey: string;
  /** Default `wss://api.deepgram.com`. Tests pass the fake's `ws://127.0.0.1:PORT`. */
  readonly baseUrl?: string;
  /**
   * Default `nova-3` (Deepgram's general flagship; it handles 8 kHz μ-law and supports `keyterm`). `nova-2-phonecall`
   * is the model Deepgram tunes for low-bandwidth phone audio (https://developers.deepgram.com/docs/model).
   */
  readonly model?: string;
  /** BCP-47, default `en-US`. */
  readonly language?: string;
  /** Interim results (default true; UtteranceEnd needs them). */
  readonly interimResults?: boolean;
  /** SpeechStarted events (default true). */
  readonly vadEvents?: boolean;
  /** Silence (ms) that ends an utterance with `speech_final` (default 300), or false to turn it off. */
  readonly endpointingMs?: number | false;
  /** Gap (ms) after the last word that yields `utterance_end` (default 1000; Deepgram recommends ≥ 1000). */
  readonly utteranceEndMs?: number;
  /** Default true. */
  readonly smartFormat?: boolean;
  /** Default true. */
  readonly punctuate?: boolean;
  /** Nova-3 key terms to boost. */
  readonly keyterms?: readonly string[];
  /** Extra query parameters passed through as is (e.g. `{ tag: 'call-123' }`). */
  readonly extraQuery?: Readonly<Record<string, string>>;
  /** KeepAlive text frame after this long without sending anything (default 4000; Deepgram: every 3–5 s). */
  readonly keepAliveIntervalMs?: number;
  /** Upgrade must complete within this (default 5000). */
  readonly connectTimeoutMs?: number;
  /** After Finalize + CloseStream, wait at most this long for Metadata and the server's close (default 2000). */
  readonly closeTimeoutMs?: number;
  /** Caller audio kept for replay after a drop (default 5000 ms = 40 000 bytes of μ-law 8 kHz). */
  readonly replayBufferMs?: number;
  /**
   * Replay speed cap, × real time (default 1.25: what Deepgram accepts,
   * https://developers.deepgram.com/docs/recovering-from-connection-errors-and-timeouts-when-live-streaming-audio).
   */
  readonly replayRate?: number;
  /** Backlog sent at once before pacing starts (default 500 ms of audio). */
  readonly replayBurstMs?: number;
  /** Our reconnect policy (the SDK's own reconnect is always off). */
  readonly reconnect?: Partial<BackoffPolicy>;
  readonly logger?: Logger;
}

export type DeepgramSettings = Required<Omit<DeepgramSttOptions, 'keyterms' | 'extraQuery' | 'logger' | 'reconnect'>> & {
  readonly keyterms: readonly string[];
  readonly extraQuery: Readonly<Record<string, string>>;
  readonly logger: Logger | undefined;
  readonly reconnect: BackoffPolicy;
};

export function resolveDeepgramOptions(o: DeepgramSttOptions): DeepgramSettings {
  if (!o.apiKey) throw new TypeError('createDeepgramStt: apiKey is required');
  return {
    apiKey: o.apiKey,
    baseUrl: o.baseUrl ?? 'wss://api.deepgram.com',
    model: o.model ?? 'nova-3',
    language: o.language ?? 'en-US',
    interimResults: o.interimResults ?? true,
    vadEvents: o.vadEvents ?? true,
    endpointingMs: o.endpointingMs ?? 300,
    utteranceEndMs: o.utteranceEndMs ?? 1000,
    smartFormat: o.smartFormat ?? true,
    punctuate: o.punctuate ?? true,
    keyterms: o.keyterms ?? [],
    extraQuery: o.extraQuery ?? {},
    keepAliveIntervalMs: o.keepAliveIntervalMs ?? 4000,
    connectTimeoutMs: o.connectTimeoutMs ?? 5000,
    closeTimeoutMs: o.closeTimeoutMs ?? 2000,
    replayBufferMs: o.replayBufferMs ?? 5000,
    replayRate: o.replayRate ?? 1.25,
    replayBurstMs: o.replayBurstMs ?? 500,
    reconnect: { ...DEFAULT_BACKOFF, ...o.reconnect },
    logger: o.logger,
  };
}

const flag = (b: boolean): 'true' | 'false' => (b ? 'true' : 'false');

/** `listen.v1.connect` arguments: μ-law 8 kHz mono straight from Twilio, no resampling. */
export function connectArgs(s: DeepgramSettings) {
  return {
    model: s.model,
    language: s.language,
    encoding: 'mulaw' as const,
    sample_rate: 8000,
    channels: 1,
    interim_results: flag(s.interimResults),
    vad_events: flag(s.vadEvents),
    endpointing: s.endpointingMs === false ? 'false' : s.endpointingMs,
    ...(s.interimResults ? { utterance_end_ms: s.utteranceEndMs } : {}),
    smart_format: flag(s.smartFormat),
    punctuate: flag(s.punctuate),
    ...(s.keyterms.length > 0 ? { keyterm: [...s.keyterms] } : {}),
    queryParams: { ...s.extraQuery },
    // The SDK reconnects up to 30 times by default (README, "The SDK's own reconnect is off"), each time a new session
    // whose timestamps restart at 0, losing the audio sent in the gap. We reconnect ourselves.
    reconnectAttempts: 0,
    connectionTimeoutInSeconds: s.connectTimeoutMs / 1000,
  };
}
