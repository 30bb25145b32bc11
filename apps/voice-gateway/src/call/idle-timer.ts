import type { Clock } from '@voice/pacer';

/**
 * Re-prompts a silent caller: armed when the agent has finished speaking, disarmed by any caller activity.
 * After `maxReprompts` in a row it stays quiet until the caller speaks again.
 */
export class IdleTimer {
  private timer: unknown = undefined;
  private reprompts = 0;

  constructor(
    private readonly clock: Clock,
    private readonly idleMs: number,
    private readonly maxReprompts: number,
    private readonly onIdle: (attempt: number) => void,
  ) {}

  arm(): void {
    this.disarm();
    if (this.idleMs <= 0 || this.reprompts >= this.maxReprompts) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.reprompts++;
      this.onIdle(this.reprompts);
    }, this.idleMs);
  }

  /** The caller did something: cancel and reset the re-prompt count. */
  activity(): void {
    this.reprompts = 0;
    this.disarm();
  }

  disarm(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
