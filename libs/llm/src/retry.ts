/** Minimal header lookup: a fetch `Headers` or a plain record. */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | undefined> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  }
  return (headers as Record<string, string | undefined>)[name];
}

/**
 * The wait a server asked for: `retry-after-ms` (OpenAI's non-standard header), else `retry-after` as seconds or as
 * an HTTP date (RFC 9110 §10.2.3). Undefined when absent or unparsable.
 */
export function parseRetryAfterMs(headers: HeaderSource, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(header(headers, 'retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = header(headers, 'retry-after');
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (0-based): the server's `retry-after` when it fits under the cap, else
 * exponential backoff with "equal jitter" (half fixed, half random; AWS Architecture Blog, "Exponential Backoff
 * And Jitter", 2015). Returns undefined when the server asks for longer than the cap: on a live call, waiting less
 * than asked only earns another 429, and waiting longer is dead air, so the caller should fail over instead.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, o: BackoffOptions): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs <= o.maxDelayMs ? retryAfterMs : undefined;
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt);
  return exp / 2 + (exp / 2) * (o.random ?? Math.random)();
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). The timer is always cleared. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
