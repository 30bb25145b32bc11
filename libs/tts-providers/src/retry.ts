import { sleep } from './abort';
import { TtsError } from './tts-error';

/** Bounded retries of a sentence that failed before any of its audio was yielded. */
export interface RetryPolicy {
  /** Extra attempts after the first (default 1: a phone caller cannot wait for more). */
  readonly maxRetries: number;
  /** First backoff; doubled per retry, with ±20 % jitter (default 200 ms). */
  readonly baseDelayMs: number;
  /** Cap on any wait, `retry-after` included (default 2000 ms). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ maxRetries: 1, baseDelayMs: 200, maxDelayMs: 2000 });

export function retryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  return { ...DEFAULT_RETRY, ...partial };
}

/** Backoff before retry number `retry` (0-based): exponential with jitter, at least `retry-after`, at most the cap. */
export function retryDelayMs(retry: number, error: TtsError, policy: RetryPolicy, random = Math.random): number {
  const backoff = policy.baseDelayMs * 2 ** retry * (0.8 + 0.4 * random());
  return Math.min(policy.maxDelayMs, Math.max(backoff, error.retryAfterMs ?? 0));
}

/**
 * Runs `attempt()` and yields its items; when it throws a retryable TtsError before yielding anything, waits
 * and tries again, at most `policy.maxRetries` times. Once audio has gone out a retry would repeat words, so
 * a later failure is thrown as is. An abort (during an attempt or a wait) ends quietly.
 */
export async function* retryBeforeAudio<T>(
  attempt: () => AsyncIterable<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  onRetry?: (error: TtsError, delayMs: number) => void,
): AsyncGenerator<T> {
  for (let retry = 0; ; retry++) {
    let yielded = false;
    try {
      for await (const item of attempt()) {
        yielded = true;
        yield item;
      }
      return;
    } catch (e) {
      if (signal.aborted) return;
      if (yielded || !(e instanceof TtsError) || !e.retryable || retry >= policy.maxRetries) throw e;
      const delay = retryDelayMs(retry, e, policy);
      onRetry?.(e, delay);
      if (!(await sleep(delay, signal))) return;
    }
  }
}
