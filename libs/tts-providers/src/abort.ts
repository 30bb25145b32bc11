import type { AudioChunk } from '@voice/audio-codec';

/** Resolves true after `ms`, or false as soon as `signal` aborts; the timer and listener are always released. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort);
  });
}

/**
 * Waits for `promise`, or resolves `undefined` once `signal` aborts (the promise keeps running; a later
 * rejection is swallowed here so it is never unhandled, and the owner of the promise sees it).
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      resolve(undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** A child controller that aborts with `parent`; `release()` detaches it (call it in `finally`). */
export function linkedController(parent: AbortSignal): { controller: AbortController; release: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  return { controller, release: () => parent.removeEventListener('abort', onAbort) };
}

/** How a stream's first `next()` ended its race: an item (or the end), an error, the deadline, or the caller's abort. */
export type FirstItem = { kind: 'item'; result: IteratorResult<AudioChunk> } | { kind: 'error'; error: unknown } | { kind: 'timeout' } | { kind: 'aborted' };

/** Races a stream's first `next()` against a `ms` deadline and the caller's abort (used by withFallback and withBackchannel). */
export function firstWithin(next: Promise<IteratorResult<AudioChunk>>, ms: number, signal: AbortSignal): Promise<FirstItem> {
  return new Promise((resolve) => {
    const done = (r: FirstItem): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = (): void => done({ kind: 'aborted' });
    const timer = setTimeout(() => done({ kind: 'timeout' }), ms);
    signal.addEventListener('abort', onAbort, { once: true });
    next.then(
      (result) => done({ kind: 'item', result }),
      (error: unknown) => done({ kind: 'error', error }),
    );
  });
}
