// Deadline grid, first frame, lead, stalls and the single shared timer, all on a fake clock (no sleeping).
import { FakeClock } from '@voice/testing';
import { Pacer } from './pacer';
import { PACER_DEFAULTS } from './options';
import type { PacerMetrics } from './options';
import { audio, prng, recordingSink } from './recording-sink.spec-helper';

/** Ideal send time of frame n of a burst that started at t0 with lead L: t0 + max(0, 20n - L). */
const ideal = (t0: number, n: number, lead: number): number => t0 + Math.max(0, 20 * n - lead);

describe('Pacer timing', () => {
  it('sends frame n at exactly start + n*20 ms (lead 0), bytes in order', () => {
    const clock = new FakeClock({ startMs: 1000 });
    const pacer = new Pacer({ clock, leadMs: 0, jitterBufferMs: 0 });
    const sink = recordingSink(clock);
    const s = pacer.add(sink);
    const input = audio(1000, 3);
    s.enqueue(input);
    s.endOfReply();
    expect(sink.mediaTimes()).toEqual([1000]); // the first frame goes out at once, before any timer fires
    clock.advance(2000);
    expect(sink.mediaTimes()).toEqual(Array.from({ length: 50 }, (_, n) => 1000 + 20 * n));
    expect(sink.mediaBytes()).toEqual(input);
    expect(sink.events.every((e) => e.kind === 'media' && e.bytes.length === 160)).toBe(true);
    expect(s.stats()).toMatchObject({ framesSent: 50, lateSends: 0, underruns: 0, stalls: 0, queuedMs: 0 });
  });

  it('sends the lead at once, then stays leadMs ahead of real time', () => {
    const clock = new FakeClock({ startMs: 500 });
    const pacer = new Pacer({ clock, leadMs: 60, jitterBufferMs: 0 });
    const sink = recordingSink(clock);
    pacer.add(sink).enqueue(audio(400));
    expect(sink.mediaTimes()).toEqual([500, 500, 500, 500]); // frame 0 plus 60 ms ahead
    clock.advance(1000);
    expect(sink.mediaTimes()).toEqual(Array.from({ length: 20 }, (_, n) => ideal(500, n, 60)));
  });

  it('sends the first frame of a burst at once even while another call is mid-grid', () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock, leadMs: 0, jitterBufferMs: 0 });
    const a = recordingSink(clock);
    const b = recordingSink(clock);
    pacer.add(a).enqueue(audio(1000));
    clock.advance(7.25); // between a's ticks (0, 20, ...)
    pacer.add(b).enqueue(audio(100));
    expect(b.mediaTimes()).toEqual([7.25]);
    clock.advance(200);
    // b follows its own phase, a keeps its own
    expect(b.mediaTimes()).toEqual([7.25, 27.25, 47.25, 67.25, 87.25]);
    expect(a.mediaTimes().slice(0, 5)).toEqual([0, 20, 40, 60, 80]);
  });

  it('does not drift over 60 s of random timer lateness (absolute deadlines)', () => {
    const rand = prng(42);
    const lateness: number[] = [];
    const clock = new FakeClock({
      minDelayMs: 1,
      lateness: () => {
        // ~0-3 ms jitter, and 1 in 300 timers 10-30 ms late (below the 60 ms lead)
        const l = rand() * 3 + (rand() < 1 / 300 ? 10 + rand() * 20 : 0);
        lateness.push(l);
        return l;
      },
    });
    const lead = 60;
    const pacer = new Pacer({ clock, leadMs: lead, jitterBufferMs: 0 });
    const sink = recordingSink(clock);
    const s = pacer.add(sink);
    s.enqueue(audio(1000));
    // A producer topping up every 100 ms, as a TTS loop would.
    for (let t = 0; t < 60_000; t += 100) {
      if (s.stats().queuedMs < 1000) s.enqueue(audio(500));
      clock.advance(100);
    }
    const times = sink.mediaTimes();
    const errors = times.map((t, n) => t - ideal(0, n, lead));
    const maxLate = Math.max(...lateness);
    // coalescing may serve a frame up to coalesceMs early in a wake that came for an earlier one
    expect(Math.min(...errors)).toBeGreaterThanOrEqual(-PACER_DEFAULTS.coalesceMs);
    expect(Math.max(...errors)).toBeLessThanOrEqual(maxLate + 1e-9);
    // Frames sent by t = 60 s is what an exact grid sends; an accumulating timer would fall ~1.5 s (75 frames) behind.
    const expectedFrames = Math.floor((60_000 + lead) / 20) + 1;
    expect(times.length).toBeGreaterThanOrEqual(expectedFrames - 1);
    expect(times.length).toBeLessThanOrEqual(expectedFrames);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const drift = mean(errors.slice(-50)) - mean(errors.slice(0, 50));
    expect(Math.abs(drift)).toBeLessThan(3);
    expect(s.stats().stalls).toBe(0);
    expect(s.stats().lateSends).toBe(errors.filter((e) => e > 5).length);
  });

  it('after a short stall (< lead) sends the overdue frames and returns to the original grid', () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock, leadMs: 60, jitterBufferMs: 0 });
    const sink = recordingSink(clock);
    const s = pacer.add(sink);
    s.enqueue(audio(2000));
    clock.advance(200); // frames up to n = 13 (due 200)
    clock.stall(46); // event loop blocked until 246
    clock.advance(0);
    const late = sink.mediaTimes().filter((t) => t === 246);
    expect(late.length).toBe(2); // frames due 220 and 240
    clock.advance(254); // to 500
    const after = sink.mediaTimes().filter((t) => t > 246);
    expect(after[0]).toBe(260);
    expect(after).toEqual(after.map((_, i) => 260 + 20 * i));
    expect(s.stats().stalls).toBe(0);
    expect(s.stats().lateSends).toBe(2);
  });

  it('after a long stall sends at most the lead worth late, counts the stall, and re-anchors', () => {
    const clock = new FakeClock();
    const stalls: Array<{ gapMs: number }> = [];
    const metrics: PacerMetrics = { stall: (e) => stalls.push(e) };
    const pacer = new Pacer({ clock, leadMs: 60, jitterBufferMs: 0, metrics });
    const sink = recordingSink(clock);
    const s = pacer.add(sink);
    s.enqueue(audio(3000));
    clock.advance(200); // last on-time frame n = 13 at 200: Twilio holds audio until 200 + 60 + 20 = 280
    clock.stall(500);
    clock.advance(0); // wake at 700
    const burst = sink.mediaTimes().filter((t) => t === 700);
    expect(burst.length).toBe(4); // 60 ms lead + the current frame, not the 25 frames the stall skipped
    expect(s.stats().stalls).toBe(1);
    expect(stalls).toEqual([expect.objectContaining({ gapMs: 420 })]);
    clock.advance(300);
    const after = sink.mediaTimes().filter((t) => t > 700);
    expect(after).toEqual(after.map((_, i) => 720 + 20 * i));
  });

  it.each([0, 2])('ticks 300 calls with different phases from one timer (coalesceMs %d)', (coalesceMs) => {
    const rand = prng(5);
    const clock = new FakeClock();
    const pacer = new Pacer({ clock, leadMs: 40, jitterBufferMs: 0, coalesceMs });
    const calls: Array<{ t0: number; sink: ReturnType<typeof recordingSink> }> = [];
    let maxPending = 0;
    for (let i = 0; i < 300; i++) {
      clock.advance(Math.floor(rand() * 3)); // starts spread over ~300 ms, all phases of the 20 ms grid
      const sink = recordingSink(clock);
      calls.push({ t0: clock.now(), sink });
      const s = pacer.add(sink);
      s.enqueue(audio(1000, i));
      s.endOfReply();
      maxPending = Math.max(maxPending, clock.pendingCount);
    }
    for (let t = 0; t < 1500; t++) {
      clock.advance(1);
      maxPending = Math.max(maxPending, clock.pendingCount);
    }
    expect(maxPending).toBe(1);
    for (const { t0, sink } of calls) {
      const times = sink.mediaTimes();
      expect(times.length).toBe(50);
      // exact grid; with coalescing a frame may ride a wake up to coalesceMs early, never late
      const errors = times.map((t, n) => t - ideal(t0, n, 40));
      expect(Math.max(...errors)).toBeLessThanOrEqual(0);
      expect(Math.min(...errors)).toBeGreaterThanOrEqual(-coalesceMs);
    }
    // All drained and idle: no timer left armed.
    expect(clock.pendingCount).toBe(0);
    expect(pacer.stats()).toMatchObject({ streams: 300, scheduled: 0 });
    // Wakes are bounded by distinct deadlines (whole ms here), not by calls x frames.
    expect(pacer.stats().wakes).toBeLessThanOrEqual(1300);
  });

  it('reports late wakes through the metrics sink', () => {
    const clock = new FakeClock({ lateness: () => 8 });
    const lateTicks: number[] = [];
    const pacer = new Pacer({ clock, leadMs: 0, jitterBufferMs: 0, metrics: { lateTick: (e) => lateTicks.push(e.lateMs) } });
    pacer.add(recordingSink(clock)).enqueue(audio(100));
    clock.advance(200);
    expect(lateTicks.length).toBeGreaterThan(0);
    expect(lateTicks.every((l) => l === 8)).toBe(true);
    expect(pacer.stats().lateTicks).toBe(lateTicks.length);
    expect(pacer.stats().maxTickLateMs).toBe(8);
  });

  it('keeps pacing when a metric callback throws', () => {
    const clock = new FakeClock({ lateness: () => 8 });
    const metrics: PacerMetrics = {
      lateTick: () => {
        throw new Error('boom');
      },
    };
    const pacer = new Pacer({ clock, leadMs: 0, jitterBufferMs: 0, metrics });
    const sink = recordingSink(clock);
    pacer.add(sink).enqueue(audio(100));
    clock.advance(500);
    expect(sink.mediaTimes().length).toBe(5);
  });
});
