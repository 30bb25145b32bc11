/**
 * Stable codes of {@link SttError}. Documented in the README; never rename one.
 * - STT_AUTH: the key was refused (HTTP 401/402/403). Not retryable.
 * - STT_RATE_LIMITED: HTTP 429 (Deepgram's per-project concurrency limit, OpenAI rate limits). Retryable.
 * - STT_CONNECTION_LOST: socket dropped, reset or could not be opened (1006, 1011 NET-0000/NET-0001). Retryable.
 * - STT_PROTOCOL: the provider sent something that is not its documented JSON. Not retryable.
 * - STT_BAD_REQUEST: the provider rejected our parameters or audio (HTTP 400/404/413/415/422, close 1008). Not retryable.
 * - STT_PROVIDER_ERROR: HTTP 5xx or another unexpected status. Retryable for 5xx.
 * - STT_TIMEOUT: connect, request or close handshake took too long. Retryable.
 * - STT_BUFFER_OVERFLOW: caller audio was dropped because the replay buffer was full during an outage. Retryable.
 * - STT_BAD_INPUT: the input stream failed or carried a format other than `inputFormat`. Not retryable.
 * - STT_VAD_UNAVAILABLE: the fvad WASM module could not be loaded. Not retryable.
 * - STT_UNAVAILABLE: a local recogniser cannot run here (PocketSphinx library or model files missing). Not retryable.
 */
export type SttErrorCode =
  | 'STT_AUTH'
  | 'STT_RATE_LIMITED'
  | 'STT_CONNECTION_LOST'
  | 'STT_PROTOCOL'
  | 'STT_BAD_REQUEST'
  | 'STT_PROVIDER_ERROR'
  | 'STT_TIMEOUT'
  | 'STT_BUFFER_OVERFLOW'
  | 'STT_BAD_INPUT'
  | 'STT_VAD_UNAVAILABLE'
  | 'STT_UNAVAILABLE';

export interface SttErrorOptions {
  readonly retryable: boolean;
  readonly provider: string;
  readonly status?: number;
  /** WebSocket close code, when the error comes from a close. */
  readonly closeCode?: number;
  /** Milliseconds the server asked us to wait (`retry-after`), when it said. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** The one error family of @voice/stt. Messages never carry secrets (keys are never interpolated). */
export class SttError extends Error {
  override readonly name = 'SttError';
  readonly code: SttErrorCode;
  readonly retryable: boolean;
  readonly provider: string;
  readonly status?: number;
  readonly closeCode?: number;
  readonly retryAfterMs?: number;

  constructor(code: SttErrorCode, message: string, o: SttErrorOptions) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.code = code;
    this.retryable = o.retryable;
    this.provider = o.provider;
    this.status = o.status;
    this.closeCode = o.closeCode;
    this.retryAfterMs = o.retryAfterMs;
  }
}

/** What went wrong on the wire: an HTTP status (failed upgrade or request) and/or a WebSocket close. */
export interface WireFailure {
  readonly status?: number;
  readonly closeCode?: number;
  /** Close reason or vendor error text (Deepgram `dg-error`, e.g. 'NET-0001'). */
  readonly reason?: string;
  readonly retryAfterMs?: number;
  /** True when the failure is a timeout (connect, request). */
  readonly timeout?: boolean;
}

/**
 * THE classification of HTTP statuses and WebSocket close codes for this lib (Deepgram close codes from
 * https://developers.deepgram.com/docs/troubleshooting-websocket-data-and-net-errors-when-live-streaming-audio: 1008
 * DATA-0000 undecodable audio; 1011 NET-0000 server timeout, NET-0001 client idle).
 */
export function classifyFailure(f: WireFailure, provider: string, cause?: unknown): SttError {
  const detail = f.reason ? `: ${f.reason}` : '';
  const o = { provider, status: f.status, closeCode: f.closeCode, retryAfterMs: f.retryAfterMs, cause };
  const s = f.status;
  if (s !== undefined) {
    if (s === 401 || s === 402 || s === 403) return new SttError('STT_AUTH', `${provider}: HTTP ${s}${detail}`, { ...o, retryable: false });
    if (s === 429) return new SttError('STT_RATE_LIMITED', `${provider}: HTTP 429${detail}`, { ...o, retryable: true });
    if (s === 408) return new SttError('STT_TIMEOUT', `${provider}: HTTP 408${detail}`, { ...o, retryable: true });
    if (s === 400 || s === 404 || s === 413 || s === 415 || s === 422) {
      return new SttError('STT_BAD_REQUEST', `${provider}: HTTP ${s}${detail}`, { ...o, retryable: false });
    }
    return new SttError('STT_PROVIDER_ERROR', `${provider}: HTTP ${s}${detail}`, { ...o, retryable: s >= 500 });
  }
  if (f.timeout) return new SttError('STT_TIMEOUT', `${provider}: timed out${detail}`, { ...o, retryable: true });
  if (f.closeCode === 1008) {
    return new SttError('STT_BAD_REQUEST', `${provider}: closed 1008${detail}`, { ...o, retryable: false });
  }
  const how = f.closeCode === undefined ? 'connection failed' : `closed ${f.closeCode}`;
  return new SttError('STT_CONNECTION_LOST', `${provider}: ${how}${detail}`, { ...o, retryable: true });
}

/** Parses `retry-after` (seconds or an HTTP date) into ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
