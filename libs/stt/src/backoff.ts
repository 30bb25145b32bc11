import { setTimeout as delay } from 'node:timers/promises';

/**
 * Reconnect / retry policy. Defaults keep the first retry under 500 ms, so a dropped socket is back within one short
 * pause.
 */
export interface BackoffPolicy {
  /** Attempts after the first failure before giving up. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  /** Fraction of the delay removed at random (0..1): spreads reconnects of many calls after one outage. */
  readonly jitter: number;
  /** Cap on a server's `retry-after`, so a large value cannot stall a live call. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({
  maxAttempts: 5,
  initialDelayMs: 250,
  maxDelayMs: 5000,
  multiplier: 2,
  jitter: 0.5,
  maxRetryAfterMs: 10_000,
});

/**
 * Delay before retry number `attempt` (0-based): exponential, capped, minus up to `jitter` of it at random
 * ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015), so it never exceeds the cap. A server's
 * `retry-after` (capped) is honoured as a lower bound.
 */
export function backoffDelayMs(attempt: number, p: BackoffPolicy, retryAfterMs?: number, random = Math.random): number {
  const base = Math.min(p.maxDelayMs, p.initialDelayMs * p.multiplier ** attempt);
  const jittered = base * (1 - p.jitter * random());
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, p.maxRetryAfterMs));
}

/** Sleeps `ms`; resolves false instead of throwing when `signal` aborts first. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false; // only an abort rejects timers/promises' delay
  }
}
