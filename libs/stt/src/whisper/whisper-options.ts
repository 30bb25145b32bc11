import type { Logger } from 'pino';
import { type BackoffPolicy, DEFAULT_BACKOFF } from '../backoff';
import { resolveSegmentVad, type SegmentVadOptions, type SegmentVadSettings } from '../vad/segment-vad-options';

export interface WhisperSttOptions {
  readonly apiKey: string;
  /** The openai SDK's baseURL, `/v1` included (default `https://api.openai.com/v1`). */
  readonly baseUrl?: string;
  /** Default `whisper-1`. `gpt-4o-transcribe` / `gpt-4o-mini-transcribe` work too (json only, no word times). */
  readonly model?: string;
  /** ISO-639-1 (e.g. `en`); unset lets the model detect it. */
  readonly language?: string;
  /** Vocabulary / style hint passed to the model. */
  readonly prompt?: string;
  readonly temperature?: number;
  /**
   * Rate of the PCM16 WAV uploaded per segment (default 8000: the telephone audio as is, half the bytes of
   * 16 kHz; the service resamples to 16 kHz itself). 16000 resamples locally first.
   */
  readonly uploadSampleRate?: 8000 | 16000;
  /** whisper-1 only: ask for word timestamps (`verbose_json`). Otherwise word times are spread over the speech. */
  readonly wordTimestamps?: boolean;
  /** Local VAD that cuts caller audio into segments (fvad at 8 kHz). Speech shorter than `minSpeechMs` is not sent. */
  readonly vad?: SegmentVadOptions;
  /** Per-request timeout (default 15 000 ms). */
  readonly timeoutMs?: number;
  /** Retries of one segment on 429 / 5xx / network errors (default 2 retries, retry-after capped at 2 s). */
  readonly retry?: Partial<BackoffPolicy>;
  readonly logger?: Logger;
}

export interface WhisperSettings {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly model: string;
  readonly language: string | undefined;
  readonly prompt: string | undefined;
  readonly temperature: number | undefined;
  readonly uploadSampleRate: 8000 | 16000;
  readonly wordTimestamps: boolean;
  readonly vad: SegmentVadSettings;
  readonly timeoutMs: number;
  readonly retry: BackoffPolicy;
  readonly logger: Logger | undefined;
}

export function resolveWhisperOptions(o: WhisperSttOptions): WhisperSettings {
  if (!o.apiKey) throw new TypeError('createWhisperStt: apiKey is required');
  return {
    apiKey: o.apiKey,
    baseUrl: o.baseUrl ?? 'https://api.openai.com/v1',
    model: o.model ?? 'whisper-1',
    language: o.language,
    prompt: o.prompt,
    temperature: o.temperature,
    uploadSampleRate: o.uploadSampleRate ?? 8000,
    wordTimestamps: o.wordTimestamps ?? false,
    vad: resolveSegmentVad(o.vad),
    timeoutMs: o.timeoutMs ?? 15_000,
    retry: { ...DEFAULT_BACKOFF, maxAttempts: 2, maxRetryAfterMs: 2000, ...o.retry },
    logger: o.logger,
  };
}
