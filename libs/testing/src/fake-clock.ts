// A deterministic clock for timing code (the pacer, timeouts, backchannel thresholds): time moves only when a test
// says so, and timers fire in deadline order. It matches @voice/pacer's `Clock` shape structurally
// (`now`, `setTimeout`, `clearTimeout`), so this lib does not have to depend on the pacer.

export interface FakeClockOptions {
  /** Value of `now()` at construction, in ms. Default 0. */
  startMs?: number;
  /**
   * Smallest delay a timer really waits, in ms. Default 0. Set 1 to mimic Node, which runs a `setTimeout`
   * with a delay below 1 ms after 1 ms (https://nodejs.org/api/timers.html#settimeoutcallback-delay-args).
   */
  minDelayMs?: number;
  /**
   * Extra lateness, in ms, added to a timer when it is armed: simulates a loaded event loop. Receives the time the
   * timer asked for, so a model can place host stalls on the timeline. Negative results count as 0.
   */
  lateness?: (dueAt: number) => number;
  /** Guard against a timer that re-arms itself with no delay forever. Default 10,000,000 firings per advance. */
  maxFiringsPerAdvance?: number;
}

/** Handle returned by `setTimeout`; `at` is when it will fire (lateness included). */
export interface FakeTimer {
  readonly id: number;
  readonly at: number;
}

interface Entry extends FakeTimer {
  readonly seq: number;
  readonly fn: () => void;
  live: boolean;
}

export class FakeClock {
  #now: number;
  #seq = 0;
  #pending = 0;
  #fired = 0;
  #heap: Entry[] = [];
  readonly #minDelay: number;
  readonly #lateness: ((dueAt: number) => number) | undefined;
  readonly #maxFirings: number;

  constructor(options: FakeClockOptions = {}) {
    this.#now = options.startMs ?? 0;
    this.#minDelay = options.minDelayMs ?? 0;
    this.#lateness = options.lateness;
    this.#maxFirings = options.maxFiringsPerAdvance ?? 10_000_000;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, delayMs: number): FakeTimer {
    const delay = Number.isFinite(delayMs) ? Math.max(delayMs, this.#minDelay, 0) : Math.max(this.#minDelay, 0);
    const dueAt = this.#now + delay;
    const late = this.#lateness ? Math.max(0, this.#lateness(dueAt)) : 0;
    const seq = this.#seq++;
    const entry: Entry = { id: seq + 1, at: dueAt + late, seq, fn, live: true };
    this.#push(entry);
    this.#pending++;
    return entry;
  }

  clearTimeout(handle: unknown): void {
    const entry = handle as Entry | undefined;
    if (entry && typeof entry === 'object' && entry.live === true) {
      entry.live = false;
      this.#pending--;
    }
  }

  /** Timers armed and not yet fired or cleared. */
  get pendingCount(): number {
    return this.#pending;
  }

  /** Timers fired since construction. */
  get firedCount(): number {
    return this.#fired;
  }

  /** When the next live timer fires, or undefined when none is armed. */
  nextAt(): number | undefined {
    this.#dropDead();
    return this.#heap[0]?.at;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in deadline order. */
  advance(ms: number): void {
    this.runUntil(this.#now + ms);
  }

  /**
   * Fires every timer due at or before the absolute time `t` (including timers armed by those callbacks), each with
   * `now()` equal to its firing time, then leaves `now()` at `t` (or later if a callback called `stall`).
   */
  runUntil(t: number): void {
    let firings = 0;
    for (;;) {
      this.#dropDead();
      const top = this.#heap[0];
      if (top === undefined || top.at > t) break;
      this.#pop();
      top.live = false;
      this.#pending--;
      // A stalled clock (see `stall`) fires overdue timers late, at the current time.
      if (top.at > this.#now) this.#now = top.at;
      if (++firings > this.#maxFirings) {
        throw new Error(`FakeClock: more than ${this.#maxFirings} timers fired in one advance; a timer re-arms itself with no delay?`);
      }
      this.#fired++;
      top.fn();
    }
    if (t > this.#now) this.#now = t;
  }

  /** Fires the next live timer (jumping time to it). Returns false when none is armed. */
  runNext(): boolean {
    const at = this.nextAt();
    if (at === undefined) return false;
    this.runUntil(Math.max(at, this.#now));
    return true;
  }

  /**
   * Moves time forward without firing anything, like a blocked event loop or CPU work inside a callback.
   * Timers that became due fire late, on the next `advance`/`runUntil`.
   */
  stall(ms: number): void {
    if (ms > 0) this.#now += ms;
  }

  #dropDead(): void {
    while (this.#heap.length > 0 && !this.#heap[0].live) this.#pop();
  }

  #less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(entry: Entry): void {
    const h = this.#heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l], h[m])) m = l;
      if (r < h.length && this.#less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
