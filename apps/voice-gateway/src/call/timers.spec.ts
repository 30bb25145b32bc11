import { FakeClock } from '@voice/testing';
import { DtmfCollector, dtmfUserText } from './dtmf-collector';
import { IdleTimer } from './idle-timer';

describe('DtmfCollector', () => {
  it('sends digits after a quiet period, or at once on #', () => {
    const clock = new FakeClock();
    const got: string[] = [];
    const c = new DtmfCollector(clock, 1000, (d) => got.push(d));
    c.push('1');
    clock.advance(900);
    c.push('2');
    clock.advance(900);
    expect(got).toEqual([]);
    clock.advance(100);
    expect(got).toEqual(['12']);
    c.push('3');
    c.push('#');
    expect(got).toEqual(['12', '3']);
    c.push('#'); // nothing pending: nothing sent
    expect(got).toEqual(['12', '3']);
    expect(clock.pendingCount).toBe(0);
    expect(dtmfUserText('12')).toBe('[caller pressed keys: 1 2]');
  });
});

describe('IdleTimer', () => {
  it('re-prompts after silence at most maxReprompts times in a row; activity resets the count', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const t = new IdleTimer(clock, 5000, 2, (n) => fired.push(n));
    t.arm();
    clock.advance(4999);
    t.activity();
    clock.advance(10_000);
    expect(fired).toEqual([]);
    t.arm();
    clock.advance(5000);
    t.arm();
    clock.advance(5000);
    t.arm();
    clock.advance(5000);
    expect(fired).toEqual([1, 2]);
    t.activity();
    t.arm();
    clock.advance(5000);
    expect(fired).toEqual([1, 2, 1]);
    expect(clock.pendingCount).toBe(0);
  });

  it('idleMs 0 turns it off', () => {
    const clock = new FakeClock();
    const t = new IdleTimer(clock, 0, 2, () => undefined);
    t.arm();
    expect(clock.pendingCount).toBe(0);
  });
});
