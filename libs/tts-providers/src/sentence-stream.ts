import type { TtsError } from './tts-error';

/**
 * The audio of one sentence, pushed by a socket callback and pulled by `synthesize`. While the sentence is at the
 * head of its reply (`activate()`), a silence of `timeoutMs` between frames fails it with the error `onTimeout`
 * builds (the owner also cleans its context up there). Items pushed before `end`/`fail` are delivered first;
 * after an abort nothing more is delivered.
 */
export class SentenceStream {
  private readonly items: Uint8Array[] = [];
  private state: 'open' | 'ended' | 'failed' = 'open';
  private error: TtsError | undefined;
  private waiter: (() => void) | undefined;
  private active = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pushed = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: (stream: SentenceStream) => TtsError,
  ) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Ended normally (not failed, not still open). */
  get completed(): boolean {
    return this.state === 'ended';
  }

  /** Bytes of audio pushed so far. */
  get bytes(): number {
    return this.pushed;
  }

  /** The sentence is now the one the vendor is speaking: start its silence timer. */
  activate(): void {
    if (this.active || this.state !== 'open') return;
    this.active = true;
    this.arm();
  }

  push(data: Uint8Array): void {
    if (this.state !== 'open') return;
    this.items.push(data);
    this.pushed += data.length;
    if (this.active) this.arm();
    this.wake();
  }

  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    this.settle();
  }

  fail(error: TtsError): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.error = error;
    this.settle();
  }

  async *read(signal: AbortSignal): AsyncGenerator<Uint8Array> {
    const onAbort = (): void => this.wake();
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal.aborted) return;
        const item = this.items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (this.state === 'ended') return;
        if (this.state === 'failed' && this.error) throw this.error;
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fail(this.onTimeout(this));
    }, this.timeoutMs);
  }

  private settle(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
