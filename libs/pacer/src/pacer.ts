import { DeadlineHeap } from './deadline-heap';
import { PacerError } from './errors';
import type { MediaSink, PacerOptions, SchedulerConfig, StreamOptions } from './options';
import { resolveSchedulerConfig, resolveStreamConfig } from './options';
import type { PacedStream, StreamHost } from './paced-stream';
import { StreamCore } from './paced-stream';

export interface PacerStats {
  /** Streams added and not closed. */
  streams: number;
  /** Streams waiting for a deadline (in the heap). */
  scheduled: number;
  /** Times the shared timer fired. */
  wakes: number;
  /** Wakes later than `lateToleranceMs` after the earliest due deadline. */
  lateTicks: number;
  /** Worst wake lateness seen, ms. */
  maxTickLateMs: number;
}

/**
 * Paces every call from ONE timer armed at the earliest deadline among all streams (a min-heap, O(log n) per
 * frame): no per-call timers and no `setInterval`, whose lateness accumulates into drift (measured on a 2-core box:
 * +0.4 s/min with `setInterval(20)`, none with absolute deadlines; the README's benchmark shows it).
 */
export class Pacer {
  readonly #cfg: SchedulerConfig;
  readonly #heap = new DeadlineHeap<StreamCore>();
  readonly #streams = new Set<StreamCore>();
  readonly #host: StreamHost;
  #timer: unknown = undefined;
  #armedFor = Infinity; // the deadline the armed timer serves; Infinity when disarmed
  #inTick = false;
  #closed = false;
  #seq = 0;
  #wakes = 0;
  #lateTicks = 0;
  #maxTickLateMs = 0;

  constructor(options: PacerOptions = {}) {
    this.#cfg = resolveSchedulerConfig(options);
    this.#host = {
      config: this.#cfg,
      schedule: (stream, dueAt) => {
        if (dueAt === null) this.#heap.delete(stream);
        else this.#heap.set(stream, dueAt);
        this.#rearm();
      },
      detach: (stream) => {
        this.#heap.delete(stream);
        this.#streams.delete(stream);
        this.#rearm();
      },
    };
  }

  /** Adds a call. Its frames go to `sink`; options override the scheduler's defaults for this call. */
  add(sink: MediaSink, options: StreamOptions = {}): PacedStream {
    if (this.#closed) throw new PacerError('PACER_CLOSED', 'pacer is closed');
    const stream = new StreamCore(options.id ?? `stream-${++this.#seq}`, sink, resolveStreamConfig(options, this.#cfg), this.#host);
    this.#streams.add(stream);
    return stream;
  }

  get size(): number {
    return this.#streams.size;
  }

  stats(): PacerStats {
    return {
      streams: this.#streams.size,
      scheduled: this.#heap.size,
      wakes: this.#wakes,
      lateTicks: this.#lateTicks,
      maxTickLateMs: this.#maxTickLateMs,
    };
  }

  /** Closes every stream and releases the timer. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      for (const stream of [...this.#streams]) stream.close();
    } finally {
      this.#disarm();
    }
  }

  #rearm(): void {
    if (this.#inTick) return; // the tick re-arms once when it ends
    const top = this.#heap.peek();
    if (top === undefined) {
      this.#disarm();
      return;
    }
    // An armed timer that fires no later than needed stays; if its deadline went away it wakes early and re-arms.
    if (this.#armedFor <= top.dueAt) return;
    this.#disarm();
    const { clock } = this.#cfg;
    const delay = Math.max(0, top.dueAt - clock.now());
    this.#armedFor = top.dueAt;
    this.#timer = clock.setTimeout(this.#onTimer, delay);
  }

  #disarm(): void {
    if (this.#armedFor === Infinity) return;
    this.#cfg.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#wakes++;
    const { clock, coalesceMs, lateToleranceMs, metrics } = this.#cfg;
    this.#inTick = true;
    try {
      let now = clock.now();
      const first = this.#heap.peek();
      if (first !== undefined && first.dueAt <= now + coalesceMs) {
        const late = now - first.dueAt;
        if (late > this.#maxTickLateMs) this.#maxTickLateMs = late;
        if (late > lateToleranceMs) {
          this.#lateTicks++;
          try {
            metrics.lateTick?.({ lateMs: late, atMs: now });
          } catch {
            // metric observers must not stop the audio of every call
          }
        }
      }
      // Each onDue moves its stream past `now + coalesceMs` or out of the heap, so this loop ends.
      for (let top = first; top !== undefined && top.dueAt <= now + coalesceMs; top = this.#heap.peek()) {
        top.onDue(now);
        now = clock.now(); // serving many calls takes time: later ones see the real send time
      }
    } finally {
      this.#inTick = false;
      this.#rearm();
    }
  };
}
