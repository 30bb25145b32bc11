import type { FallbackEvent } from '../fallback/with-fallback';
import type { TtsError, TtsErrorCode } from '../tts-error';

/** One CSM request (one sentence), reported when it is over, whatever the outcome. */
export interface CsmRequestMetrics {
  readonly kind: 'request';
  readonly provider: string;
  readonly turnId?: string;
  readonly sentenceIndex?: number;
  /** `completed`: all audio yielded; `aborted`: the caller aborted or stopped reading; `failed`: a TtsError was thrown. */
  readonly outcome: 'completed' | 'aborted' | 'failed';
  /** CSM time to first audio: from the call to the first chunk yielded (undefined when none came). */
  readonly ttfaMs?: number;
  /** Generation time as this client saw it: from the call to the last byte (or the abort / failure). */
  readonly generationMs: number;
  /** Audio yielded, in ms. */
  readonly audioMs: number;
  /** HTTP requests sent (2 after a 413 shrink-and-retry). */
  readonly attempts: number;
  /** A 413 halved the conversation window before the last attempt. */
  readonly shrunk: boolean;
  /** Context audio (seconds) and body size (bytes) of the last attempt. */
  readonly contextSeconds: number;
  readonly requestBytes: number;
  /** HTTP status of the last response, when one came. */
  readonly status?: number;
  readonly code?: TtsErrorCode;
  /** What the service reported (stream `end` line / `X-CSM-*` headers): its own TTFA, queueing and generation times. */
  readonly server?: { readonly stopReason?: string; readonly ttfaMs?: number; readonly queuedMs?: number; readonly generationMs?: number };
}

/**
 * Why a sentence left CSM for the fallback: no first audio within `CSM_TIMEOUT_MS`, a 503 (model loading, overloaded),
 * another 5xx, a 413 still too large after the shrink, or the error code of anything else (`error:TTS_CONNECTION_LOST`,
 * `error:TTS_NO_AUDIO`, ...).
 */
export type CsmFallbackReason = 'timeout' | 'status:503' | 'status:5xx' | 'status:413' | `error:${string}`;

export interface CsmFallbackMetrics {
  readonly kind: 'fallback';
  readonly reason: CsmFallbackReason;
  readonly primary: string;
  readonly fallback: string;
  readonly turnId?: string;
  readonly sentenceIndex?: number;
  /** From the call to the switch. */
  readonly elapsedMs: number;
  readonly error?: TtsError;
}

/** A backchannel ("Mm-hm.") played because the first CSM audio was late. */
export interface CsmBackchannelMetrics {
  readonly kind: 'backchannel';
  readonly text: string;
  readonly turnId?: string;
  /** From the call to the start of the backchannel (the threshold, plus scheduling). */
  readonly afterMs: number;
  /** The backchannel failed or was cut by an abort; the reply went on without it. */
  readonly completed: boolean;
}

export type CsmMetricEvent = CsmRequestMetrics | CsmFallbackMetrics | CsmBackchannelMetrics;

/** The injected metrics sink of the CSM provider and its wrappers. A throwing sink is logged and ignored. */
export type CsmMetricSink = (event: CsmMetricEvent) => void;

/** Maps a `withFallback` switch to the CSM reason vocabulary (statuses bucketed to keep metric labels few). */
export function csmFallbackReason(event: FallbackEvent): CsmFallbackReason {
  if (event.reason === 'timeout') return 'timeout';
  const status = event.error?.status;
  if (status === 503) return 'status:503';
  if (status === 413) return 'status:413';
  if (status !== undefined && status >= 500 && status <= 599) return 'status:5xx';
  return event.reason;
}
