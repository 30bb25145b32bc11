/**
 * Stable codes of {@link TtsError}; documented in the README, never renamed.
 * - TTS_AUTH: the key was refused (HTTP 401/403, ElevenLabs close 1008 `invalid_api_key`). Not retryable.
 * - TTS_RATE_LIMITED: HTTP 429 or a Cartesia error frame with status 429 (`concurrency_limited`). Retryable.
 * - TTS_BAD_REQUEST: the vendor rejected our parameters (HTTP 400/404/413/422, other close 1008). Not retryable.
 * - TTS_PROVIDER_ERROR: HTTP 5xx or another unexpected status. Retryable for 5xx.
 * - TTS_TIMEOUT: connect took too long, or no audio frame came for `responseTimeoutMs`. Retryable.
 * - TTS_CONNECTION_LOST: the socket or request dropped mid-sentence, or could not be opened. Retryable.
 * - TTS_PROTOCOL: the vendor sent something that is not its documented JSON. Not retryable.
 * - TTS_NO_AUDIO: a request ended without any audio (reported by `withFallback`). Retryable.
 * - TTS_INVALID_OPTIONS: the provider was configured wrongly (missing key, voice, ...). Not retryable.
 * - TTS_UNAVAILABLE: a local engine cannot run here (the flite WASM module is missing or unloadable). Not retryable.
 */
export type TtsErrorCode =
  | 'TTS_AUTH'
  | 'TTS_RATE_LIMITED'
  | 'TTS_BAD_REQUEST'
  | 'TTS_PROVIDER_ERROR'
  | 'TTS_TIMEOUT'
  | 'TTS_CONNECTION_LOST'
  | 'TTS_PROTOCOL'
  | 'TTS_NO_AUDIO'
  | 'TTS_INVALID_OPTIONS'
  | 'TTS_UNAVAILABLE';

export interface TtsErrorOptions {
  readonly retryable: boolean;
  readonly provider: string;
  readonly status?: number;
  /** WebSocket close code, when the error comes from a close. */
  readonly closeCode?: number;
  /** Milliseconds the vendor asked us to wait (`retry-after`), when it said. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** The one error family of @voice/tts-providers. Messages never carry keys (none is ever interpolated). */
export class TtsError extends Error {
  override readonly name = 'TtsError';
  readonly code: TtsErrorCode;
  readonly retryable: boolean;
  readonly provider: string;
  readonly status?: number;
  readonly closeCode?: number;
  readonly retryAfterMs?: number;

  constructor(code: TtsErrorCode, message: string, o: TtsErrorOptions) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.code = code;
    this.retryable = o.retryable;
    this.provider = o.provider;
    this.status = o.status;
    this.closeCode = o.closeCode;
    this.retryAfterMs = o.retryAfterMs;
  }
}

/** What went wrong on the wire, as each provider observed it. */
export interface WireFailure {
  /** HTTP status of a failed request or upgrade, or `status_code` of a Cartesia error frame. */
  readonly status?: number;
  readonly closeCode?: number;
  /** Vendor error text (error frame title/message, close reason). Never contains the key. */
  readonly reason?: string;
  readonly retryAfterMs?: number;
  /** The vendor said the key is wrong in a form with no status (ElevenLabs close 1008 `invalid_api_key`). */
  readonly authRejected?: boolean;
  /** A timeout: our connect timer, our response timer, or the vendor's inactivity close. */
  readonly timeout?: boolean;
}

/** THE classification of statuses and close codes for this lib. */
export function classifyFailure(f: WireFailure, provider: string, cause?: unknown): TtsError {
  const detail = f.reason ? `: ${f.reason}` : '';
  const o = { provider, status: f.status, closeCode: f.closeCode, retryAfterMs: f.retryAfterMs, cause };
  const s = f.status;
  if (f.authRejected) return new TtsError('TTS_AUTH', `${provider}: key refused${detail}`, { ...o, retryable: false });
  if (s !== undefined) {
    if (s === 401 || s === 403) return new TtsError('TTS_AUTH', `${provider}: HTTP ${s}${detail}`, { ...o, retryable: false });
    if (s === 429) return new TtsError('TTS_RATE_LIMITED', `${provider}: HTTP 429${detail}`, { ...o, retryable: true });
    if (s === 408) return new TtsError('TTS_TIMEOUT', `${provider}: HTTP 408${detail}`, { ...o, retryable: true });
    if (s === 400 || s === 404 || s === 413 || s === 422) {
      return new TtsError('TTS_BAD_REQUEST', `${provider}: HTTP ${s}${detail}`, { ...o, retryable: false });
    }
    return new TtsError('TTS_PROVIDER_ERROR', `${provider}: HTTP ${s}${detail}`, { ...o, retryable: s >= 500 });
  }
  if (f.timeout) return new TtsError('TTS_TIMEOUT', `${provider}: timed out${detail}`, { ...o, retryable: true });
  if (f.closeCode === 1008) return new TtsError('TTS_BAD_REQUEST', `${provider}: closed 1008${detail}`, { ...o, retryable: false });
  const how = f.closeCode === undefined ? 'connection failed' : `closed ${f.closeCode}`;
  return new TtsError('TTS_CONNECTION_LOST', `${provider}: ${how}${detail}`, { ...o, retryable: true });
}

/** A vendor frame that is not the documented JSON. */
export function protocolError(provider: string, what: string, cause?: unknown): TtsError {
  return new TtsError('TTS_PROTOCOL', `${provider}: ${what}`, { provider, retryable: false, cause });
}

/** Parses `retry-after` (seconds or an HTTP date) into ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | readonly string[] | null | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
