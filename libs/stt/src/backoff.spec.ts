import { backoffDelayMs, DEFAULT_BACKOFF, sleep } from './backoff';

describe('backoffDelayMs', () => {
  const p = { ...DEFAULT_BACKOFF, initialDelayMs: 250, multiplier: 2, maxDelayMs: 5000, jitter: 0.5 };

  it('first retry ≤ 500 ms; exponential growth, capped; jitter only shortens', () => {
    expect(backoffDelayMs(0, p, undefined, () => 0)).toBe(250);
    expect(backoffDelayMs(0, p, undefined, () => 1)).toBe(125);
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, p, undefined, () => 0))).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    for (let i = 0; i < 100; i++) expect(backoffDelayMs(0, p)).toBeLessThanOrEqual(500);
  });

  it('honours retry-after as a lower bound, capped by maxRetryAfterMs', () => {
    expect(backoffDelayMs(0, p, 3000, () => 0)).toBe(3000);
    expect(backoffDelayMs(0, p, 60_000, () => 0)).toBe(p.maxRetryAfterMs);
    expect(backoffDelayMs(4, p, 10, () => 0)).toBe(4000);
  });

  it('sleep resolves false on abort', async () => {
    const ac = new AbortController();
    const s = sleep(10_000, ac.signal);
    ac.abort();
    await expect(s).resolves.toBe(false);
    await expect(sleep(1, new AbortController().signal)).resolves.toBe(true);
  });
});
