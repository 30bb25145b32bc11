/**
 * A bounded push → pull bridge: socket callbacks push synchronously, one consumer pulls with `for await` (pull
 * gives the consumer back-pressure; the bound protects the socket read loop from a slow consumer: drop the oldest
 * and count it rather than block the Twilio read loop or grow without bound; a server that falls behind makes Twilio
 * discard audio, https://www.twilio.com/docs/api/errors/31930).
 */
export class PushQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
  private ended = false;
  /** Items dropped because the queue was full. */
  dropped = 0;

  constructor(private readonly max = Infinity) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Returns false when the queue has ended (the item is discarded). */
  push(item: T): boolean {
    if (this.ended) return false;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w({ value: item, done: false });
      return true;
    }
    if (this.length >= this.max) {
      this.head++;
      this.dropped++;
    }
    this.items.push(item);
    return true;
  }

  /** No more items: the consumer drains what is queued, then its loop ends. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.length > 0) {
          const value = this.items[this.head++] as T;
          if (this.head > 1024 && this.head * 2 > this.items.length) {
            this.items = this.items.slice(this.head);
            this.head = 0;
          }
          return Promise.resolve({ value, done: false });
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
