/**
 * Twilio's outbound buffer as https://www.twilio.com/docs/voice/media-streams/websocket-messages describes it: "media
 * messages are buffered and played in the order received"; a mark is echoed "when the audio ends (or if there is no
 * audio buffered)"; on clear Twilio "empties the audio buffer and sends back mark messages matching any remaining mark
 * messages".
 *
 * Model: a FIFO of audio and marks drained at 8000 bytes/s of wall-clock time. Playback position is computed
 * from the clock when asked (no per-frame ticks); the only timer is the one for the next queued mark.
 */

/** The part of a clock playback needs: `performance`-style ms, and timers. FakeClock fits. */
export interface TwilioClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: TwilioClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** μ-law 8 kHz: one byte per sample. */
export const TWILIO_PLAYBACK_BYTES_PER_SECOND = 8000;
/** 31931: "More than 10 minutes of audio is buffered by the Streamer. No more data is accepted." */
export const TWILIO_MAX_BUFFERED_BYTES = 10 * 60 * TWILIO_PLAYBACK_BYTES_PER_SECOND;

type Item = { kind: 'audio'; bytes: Uint8Array; offset: number } | { kind: 'mark'; name: string };

/** `flushed`: echoed because a clear dropped the audio before it, not because that audio played. */
export type TwilioMarkEcho = (name: string, flushed: boolean) => void;

export class TwilioPlayback {
  private readonly queue: Item[] = [];
  private readonly played: Uint8Array[] = [];
  private readonly bytesPerMs = TWILIO_PLAYBACK_BYTES_PER_SECOND / 1000;
  /** Time at which the head audio item's remaining bytes started (or will start) playing. */
  private cursor = 0;
  private buffered = 0;
  private playedTotal = 0;
  private clearedTotal = 0;
  private timer: unknown = undefined;
  private stopped = false;

  constructor(
    private readonly echo: TwilioMarkEcho,
    private readonly clock: TwilioClock = realClock,
  ) {}

  /** Queues audio; false (nothing queued) when the buffer would exceed 10 minutes (Twilio 31931). */
  enqueueAudio(bytes: Uint8Array): boolean {
    if (this.stopped) return false;
    this.advance();
    if (this.buffered + bytes.length > TWILIO_MAX_BUFFERED_BYTES) return false;
    if (this.queue.length === 0) this.cursor = this.clock.now();
    this.queue.push({ kind: 'audio', bytes, offset: 0 });
    this.buffered += bytes.length;
    return true;
  }

  /** Queues a mark, or echoes it at once when no audio is buffered. */
  enqueueMark(name: string): void {
    if (this.stopped) return;
    this.advance();
    if (this.queue.length === 0) {
      this.echo(name, false);
      return;
    }
    this.queue.push({ kind: 'mark', name });
    this.schedule();
  }

  /** Drops all buffered audio and echoes every queued mark, in order, now. */
  clear(): void {
    if (this.stopped) return;
    this.advance();
    const items = this.queue.splice(0);
    this.buffered = 0;
    this.schedule();
    for (const item of items) {
      if (item.kind === 'audio') this.clearedTotal += item.bytes.length - item.offset;
      else this.echo(item.name, true);
    }
  }

  /** Bytes queued and not yet played. */
  bufferedBytes(): number {
    this.advance();
    return this.buffered;
  }

  /** Every byte that has "played" so far, in order (cleared audio excluded). */
  playedAudio(): Uint8Array {
    this.advance();
    const out = new Uint8Array(this.playedTotal);
    let at = 0;
    for (const part of this.played) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Bytes dropped by clear. */
  clearedBytes(): number {
    return this.clearedTotal;
  }

  /** Stops the clock: no more echoes, the mark timer is released. Played audio stays readable. */
  stop(): void {
    this.advance();
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Moves the play position to `now`, echoing marks whose audio has finished. */
  private advance(now = this.clock.now()): void {
    if (this.stopped) return;
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head.kind === 'mark') {
        this.queue.shift();
        this.echo(head.name, false);
        continue;
      }
      const remaining = head.bytes.length - head.offset;
      const done = this.cursor + remaining / this.bytesPerMs;
      if (now >= done) {
        this.take(head, remaining);
        this.cursor = done;
        this.queue.shift();
        continue;
      }
      const k = Math.floor((now - this.cursor) * this.bytesPerMs);
      if (k > 0) {
        this.take(head, k);
        this.cursor += k / this.bytesPerMs;
      }
      break;
    }
  }

  private take(item: { bytes: Uint8Array; offset: number }, n: number): void {
    this.played.push(item.bytes.subarray(item.offset, item.offset + n));
    item.offset += n;
    this.buffered -= n;
    this.playedTotal += n;
  }

  /** One timer, for the moment the audio ahead of the first queued mark has played. */
  private schedule(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    let ahead = 0;
    for (const item of this.queue) {
      if (item.kind === 'mark') {
        const due = this.cursor + ahead / this.bytesPerMs;
        // Timers have ms resolution and may fire a fraction early: then advance() echoes nothing and this re-arms.
        const delay = Math.max(0, Math.ceil(due - this.clock.now()));
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined;
          this.advance();
          this.schedule();
        }, delay);
        return;
      }
      ahead += item.bytes.length - item.offset;
    }
  }
}
