import { FakeClock } from './fake-clock';

describe('FakeClock', () => {
  it('starts at startMs and only moves when told', () => {
    const clock = new FakeClock({ startMs: 1000 });
    expect(clock.now()).toBe(1000);
    clock.advance(25);
    expect(clock.now()).toBe(1025);
    clock.runUntil(2000);
    expect(clock.now()).toBe(2000);
  });

  it('fires timers in deadline order, each with now() at its due time', () => {
    const clock = new FakeClock();
    const seen: Array<[string, number]> = [];
    clock.setTimeout(() => seen.push(['c', clock.now()]), 30);
    clock.setTimeout(() => seen.push(['a', clock.now()]), 10);
    clock.setTimeout(() => seen.push(['b', clock.now()]), 20);
    clock.setTimeout(() => seen.push(['a2', clock.now()]), 10);
    expect(clock.pendingCount).toBe(4);
    clock.advance(25);
    expect(seen).toEqual([
      ['a', 10],
      ['a2', 10],
      ['b', 20],
    ]);
    expect(clock.now()).toBe(25);
    expect(clock.pendingCount).toBe(1);
    clock.advance(5);
    expect(seen.at(-1)).toEqual(['c', 30]);
    expect(clock.firedCount).toBe(4);
  });

  it('fires timers armed by callbacks within the same advance', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const tick = (): void => {
      at.push(clock.now());
      if (at.length < 5) clock.setTimeout(tick, 20);
    };
    clock.setTimeout(tick, 20);
    clock.advance(1000);
    expect(at).toEqual([20, 40, 60, 80, 100]);
    expect(clock.pendingCount).toBe(0);
  });

  it('clearTimeout cancels a timer and is idempotent', () => {
    const clock = new FakeClock();
    const fn = jest.fn();
    const h = clock.setTimeout(fn, 5);
    clock.clearTimeout(h);
    clock.clearTimeout(h);
    clock.clearTimeout(undefined);
    expect(clock.pendingCount).toBe(0);
    clock.advance(10);
    expect(fn).not.toHaveBeenCalled();
    expect(clock.nextAt()).toBeUndefined();
  });

  it('applies minDelayMs like Node (0 ms runs after 1 ms)', () => {
    const clock = new FakeClock({ minDelayMs: 1 });
    const at: number[] = [];
    clock.setTimeout(() => at.push(clock.now()), 0);
    clock.setTimeout(() => at.push(clock.now()), Number.NaN);
    clock.advance(0.5);
    expect(at).toEqual([]);
    clock.advance(0.5);
    expect(at).toEqual([1, 1]);
  });

  it('injects lateness computed from the requested due time', () => {
    const requested: number[] = [];
    const clock = new FakeClock({
      lateness: (dueAt) => {
        requested.push(dueAt);
        return dueAt === 40 ? 7 : -3;
      },
    });
    const at: number[] = [];
    clock.setTimeout(() => at.push(clock.now()), 40);
    clock.setTimeout(() => at.push(clock.now()), 10);
    expect(requested).toEqual([40, 10]);
    clock.advance(100);
    // negative lateness is ignored; 40 fires 7 ms late
    expect(at).toEqual([10, 47]);
  });

  it('stall moves time without firing; overdue timers then fire late at the current time', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    clock.setTimeout(() => at.push(clock.now()), 10);
    clock.setTimeout(() => at.push(clock.now()), 12);
    clock.stall(30);
    expect(at).toEqual([]);
    expect(clock.now()).toBe(30);
    clock.advance(0);
    expect(at).toEqual([30, 30]);
  });

  it('stall inside a callback delays later timers of the same advance', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    clock.setTimeout(() => {
      at.push(clock.now());
      clock.stall(15);
    }, 10);
    clock.setTimeout(() => at.push(clock.now()), 20);
    clock.advance(20);
    expect(at).toEqual([10, 25]);
    expect(clock.now()).toBe(25);
  });

  it('runNext jumps to the next timer', () => {
    const clock = new FakeClock();
    const fn = jest.fn();
    clock.setTimeout(fn, 500);
    expect(clock.runNext()).toBe(true);
    expect(clock.now()).toBe(500);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(clock.runNext()).toBe(false);
  });

  it('guards against a timer that re-arms itself with no delay', () => {
    const clock = new FakeClock({ maxFiringsPerAdvance: 100 });
    const loop = (): void => {
      clock.setTimeout(loop, 0);
    };
    clock.setTimeout(loop, 0);
    expect(() => clock.advance(1)).toThrow(/re-arms itself/);
  });
});
