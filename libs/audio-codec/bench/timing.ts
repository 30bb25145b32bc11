/**
 * CPU-time measurement for a shared, noisy 2-core box: process.cpuUsage() does not count time the scheduler
 * gave to other processes, and medians of interleaved rounds damp the rest. Compare ratios within one run.
 */

/** CPU microseconds per call of `fn`, repeating it until at least `minMs` of CPU time has passed. */
export function cpuMicrosPerCall(fn: () => unknown, minMs: number): number {
  // With --expose-gc, collect first so a job is not charged for the garbage of the job before it.
  (globalThis as { gc?: () => void }).gc?.();
  let calls = 0;
  const start = process.cpuUsage();
  let spent = 0;
  do {
    fn();
    calls++;
    const d = process.cpuUsage(start);
    spent = d.user + d.system;
  } while (spent < minMs * 1000);
  return spent / calls;
}

/** Same, but calls `fn` in batches so the cpuUsage() call does not weigh on sub-microsecond work. */
export function cpuNanosPerCallBatched(fn: () => unknown, batch: number, minMs: number): number {
  const perBatch = cpuMicrosPerCall(() => {
    for (let i = 0; i < batch; i++) fn();
  }, minMs);
  return (perBatch * 1000) / batch;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface Timing {
  readonly median: number;
  /** One measurement per round, in round order (so ratios can be taken round by round). */
  readonly samples: readonly number[];
}

/** Runs every job once per round, interleaved, so drift in machine load hits all of them alike. */
export function interleaved(jobs: Record<string, () => number>, rounds: number): Record<string, Timing> {
  const samples: Record<string, number[]> = {};
  const keys = Object.keys(jobs);
  for (const k of keys) samples[k] = [];
  // Each round starts one job later, so no job always runs right after the same neighbour.
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[(i + r) % keys.length];
      samples[k].push(jobs[k]());
    }
  }
  const out: Record<string, Timing> = {};
  for (const k of keys) out[k] = { median: median(samples[k]), samples: samples[k] };
  return out;
}

/** Median and range of the per-round ratio base/x (how many times faster x is than base). */
export function ratio(base: Timing, x: Timing): { median: number; min: number; max: number } {
  const r = base.samples.map((b, i) => b / x.samples[i]);
  return { median: median(r), min: Math.min(...r), max: Math.max(...r) };
}
