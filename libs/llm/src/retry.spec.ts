import { abortableSleep, parseRetryAfterMs, retryDelayMs } from './retry';

describe('parseRetryAfterMs', () => {
  it('reads retry-after-ms first, then retry-after seconds, then an HTTP date', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '1.5' }))).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }, now)).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, now)).toBe(0);
  });

  it('ignores missing, negative and garbage values', () => {
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs(new Headers())).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': '-1' })).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  const o = { baseDelayMs: 100, maxDelayMs: 1000 };
  it('uses retry-after when it fits under the cap, and gives up when it does not', () => {
    expect(retryDelayMs(0, 300, o)).toBe(300);
    expect(retryDelayMs(0, 1000, o)).toBe(1000);
    expect(retryDelayMs(0, 1001, o)).toBeUndefined();
  });

  it('backs off exponentially with equal jitter, capped', () => {
    expect(retryDelayMs(0, undefined, { ...o, random: () => 0 })).toBe(50);
    expect(retryDelayMs(0, undefined, { ...o, random: () => 1 })).toBe(100);
    expect(retryDelayMs(2, undefined, { ...o, random: () => 0.5 })).toBe(300);
    expect(retryDelayMs(10, undefined, { ...o, random: () => 1 })).toBe(1000);
  });
});

describe('abortableSleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the delay, or at once on abort, leaving no timer', async () => {
    let done = false;
    const p = abortableSleep(1000, new AbortController().signal).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);

    const ac = new AbortController();
    const q = abortableSleep(60_000, ac.signal);
    ac.abort();
    await q;
    expect(jest.getTimerCount()).toBe(0);
  });
});
