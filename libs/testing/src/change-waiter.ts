/** The event hook and `waitFor` that the server fakes (Cartesia, ElevenLabs, CSM) share. */
export interface ChangeWaiter {
  /** Call after every fake event (frame, upgrade, request, close): re-checks the pending predicates. */
  readonly changed: () => void;
  /** Resolves once `predicate` holds (checked on every `changed()` and every `pollMs`); rejects with `timeoutMessage` after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs: number, timeoutMessage: string): Promise<void>;
}

/**
 * Predicates may also read client-side state, which changes after the fake's own events, hence the poll beside the
 * event hook. Timer, poll and listener are all released however the wait ends.
 */
export function changeWaiter(pollMs: number): ChangeWaiter {
  const listeners = new Set<() => void>();
  return {
    changed: () => {
      for (const l of [...listeners]) l();
    },
    waitFor(predicate, timeoutMs, timeoutMessage) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const finish = (error?: Error): void => {
          listeners.delete(check);
          clearTimeout(timer);
          clearInterval(poll);
          if (error) reject(error);
          else resolve();
        };
        const check = (): void => {
          if (predicate()) finish();
        };
        const timer = setTimeout(() => finish(new Error(timeoutMessage)), timeoutMs);
        const poll = setInterval(check, pollMs);
        listeners.add(check);
      });
    },
  };
}
