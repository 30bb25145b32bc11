import type { Clock } from '@voice/pacer';

/**
 * Collects keypad digits into one input: sent `debounceMs` after the last digit, or at once on `#` (the usual
 * "finish with the pound key"). One timer per call, only while digits are pending.
 */
export class DtmfCollector {
  private digits: string[] = [];
  private timer: unknown = undefined;

  constructor(
    private readonly clock: Clock,
    private readonly debounceMs: number,
    private readonly onDigits: (digits: string) => void,
  ) {}

  push(digit: string): void {
    if (digit === '#') {
      this.flush();
      return;
    }
    this.digits.push(digit);
    this.disarm();
    if (this.debounceMs === 0) this.flush();
    else this.timer = this.clock.setTimeout(() => this.flush(), this.debounceMs);
  }

  flush(): void {
    this.disarm();
    if (this.digits.length === 0) return;
    const digits = this.digits.join('');
    this.digits = [];
    this.onDigits(digits);
  }

  dispose(): void {
    this.disarm();
    this.digits = [];
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** How keypad input reaches the LLM: as a user message it can tell from speech. */
export function dtmfUserText(digits: string): string {
  return `[caller pressed keys: ${[...digits].join(' ')}]`;
}
