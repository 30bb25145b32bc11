/**
 * What the pacer needs from time: a monotonic `now()` in ms and one-shot timers. Tests inject a fake
 * (`FakeClock` in @voice/testing); production uses `realClock`.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * `performance.now()` is monotonic (wall-clock steps do not move it), which deadlines need; Node runs timers on a
 * 1 ms loop clock, so delays are rounded up to whole ms and the pacer serves deadlines within `coalesceMs` of a wake.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  // Whole ms: Node keeps one timer list per distinct delay, and its loop clock has 1 ms resolution anyway.
  setTimeout: (fn, delayMs) => setTimeout(fn, Math.ceil(delayMs)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
