/**
 * One HTTP attempt's cancellation: its own AbortController, aborted by the caller's signal, by a deadline (response
 * headers within `timeoutMs`, then no gap between chunks longer than `idleMs`), or by `dispose()` (the consumer
 * stopped early). The deadlines are ours rather than the SDK's `timeout` because an SDK timeout surfaces as an
 * error whose class depends on the JS realm fetch runs in (under Jest it arrives as a plain connection error).
 * Everything is released in `dispose()`.
 */
export class Attempt {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onOuterAbort = (): void => this.controller.abort();
  /** Which deadline fired, if one did. */
  timedOut: 'headers' | 'stream' | undefined;

  constructor(
    private readonly outer: AbortSignal,
    private readonly timeoutMs: number,
    private readonly idleMs: number,
  ) {
    outer.addEventListener('abort', this.onOuterAbort, { once: true });
    this.arm('headers', timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The response headers arrived: from now on, watch the gaps between chunks. */
  streaming(): void {
    this.arm('stream', this.idleMs);
  }

  /** A chunk arrived: restart the idle clock. */
  touch(): void {
    this.timer?.refresh();
  }

  limitMs(): number {
    return this.timedOut === 'headers' ? this.timeoutMs : this.idleMs;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.outer.removeEventListener('abort', this.onOuterAbort);
    // Closes the socket if the response is still open (an early `break`, an error); a no-op after a clean end.
    this.controller.abort();
  }

  private arm(phase: 'headers' | 'stream', ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = phase;
      this.controller.abort();
    }, ms);
  }
}
