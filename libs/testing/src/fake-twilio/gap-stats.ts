/** Inter-arrival gaps of the gateway's media frames, in ms (performance.now() clock). */
export interface MediaGapStats {
  /** Number of gaps (media frames − 1). */
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** Gaps longer than `overMs` (default 30 ms: the level where a caller hears choppy audio). */
  readonly over: number;
  readonly overMs: number;
}

export function mediaGapStats(arrivals: readonly number[], overMs = 30): MediaGapStats {
  const gaps: number[] = [];
  for (let i = 1; i < arrivals.length; i++) gaps.push(arrivals[i] - arrivals[i - 1]);
  if (gaps.length === 0) return { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0, over: 0, overMs };
  const sorted = [...gaps].sort((a, b) => a - b);
  // Nearest-rank percentile.
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return {
    count: gaps.length,
    mean: gaps.reduce((a, b) => a + b, 0) / gaps.length,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    max: sorted[sorted.length - 1],
    over: gaps.filter((g) => g > overMs).length,
    overMs,
  };
}
