/** Nearest-rank percentile of unsorted values (NaN when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * Quantile of a Prometheus histogram (cumulative buckets), interpolated linearly inside the bucket that holds
 * it, as PromQL's histogram_quantile does. Accurate to the bucket layout only; the report says so.
 */
export function histogramQuantile(buckets: readonly Bucket[], q: number): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / Math.max(1, b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** Buckets of one labelled histogram series from Prometheus text exposition. */
export function parseHistogram(text: string, name: string, labels: Record<string, string> = {}): Bucket[] {
  const out: Bucket[] = [];
  const want = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`)) continue;
    const m = /\{(.*)\}\s+(\S+)$/.exec(line);
    if (!m) continue;
    const pairs = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (!want.every(([k, v]) => pairs[k] === v)) continue;
    out.push({ le: pairs['le'] === '+Inf' ? Infinity : Number(pairs['le']), count: Number(m[2]) });
  }
  return out;
}

/** A counter or gauge value (summed over series matching `labels`). */
export function parseValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(?:\\{(.*)\\})?\\s+(\\S+)$`).exec(line);
    if (!m) continue;
    const pairs = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => pairs[k] === v)) sum += Number(m[2]);
  }
  return sum;
}
