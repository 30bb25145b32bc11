// The three schedulers under test, each in a real-time run (Node timers, real wire work) and a simulated run
// (FakeClock with injected lateness, 60 s in a few seconds).
import { FakeClock } from '@voice/testing';
import { Pacer, PACER_DEFAULTS, PacerError } from '../src/index';
import type { Clock, PacedStream, PacerOptions } from '../src/index';
import { ByteQueue } from '../src/byte-queue';
import { prng } from '../src/recording-sink.spec-helper';
import { Recorder, SOURCE_1S, sendWire, wireSink } from './measure';
import type { CallGrid, Row } from './measure';

export const SCHEDULERS = ['@voice/pacer', 'per-call setInterval(20)', 'shared setInterval(20)'] as const;
export type SchedulerKind = (typeof SCHEDULERS)[number];

/** Calls start at random offsets over this window, so their 20 ms phases differ as real calls' do. */
const START_SPREAD_MS = 100;
/** Producer policy for the pacer: top up 1 s of audio whenever at most 500 ms is queued. */
const TOP_UP_BELOW_MS = 500;

interface Harness {
  /** Starts call i (first frame at once for every scheduler but the shared interval, which waits for its tick). */
  start(i: number): void;
  stop(): void;
  notes(): string;
  leadMs: number;
  /** The pacer's streams, for the producers; absent for the naive schedulers. */
  streams?: PacedStream[];
}

function makeHarness(
  kind: SchedulerKind,
  calls: number,
  clock: Clock,
  rec: Recorder,
  grids: CallGrid[],
  interval: IntervalFn,
  pacerOptions: PacerOptions = {},
): Harness {
  const sids = Array.from({ length: calls }, (_, i) => `MZ${String(i).padStart(32, '0')}`);
  // The naive peers get the same per-call queue and producer policy as the pacer, so only scheduling differs.
  const queues: ByteQueue[] = [];
  const frame = new Uint8Array(160);
  const sendNaive = (i: number): void => {
    const q = queues[i];
    if (q.length < 160) return; // cannot happen with the top-up below; an underrun would show as missing frames
    q.shiftInto(frame);
    sendWire(sids[i], frame, 0);
    rec.record(grids[i], clock.now(), 0);
    if (q.length <= TOP_UP_BELOW_MS * 8) q.push(SOURCE_1S);
  };
  const startNaive = (i: number): void => {
    grids[i].t0 = clock.now();
    queues[i] = new ByteQueue();
    queues[i].push(SOURCE_1S);
  };
  if (kind === 'per-call setInterval(20)') {
    const stops: Array<() => void> = [];
    return {
      leadMs: 0,
      start: (i) => {
        startNaive(i);
        sendNaive(i);
        stops.push(interval(() => sendNaive(i), 20));
      },
      stop: () => stops.forEach((s) => s()),
      notes: () => '',
    };
  }
  if (kind === 'shared setInterval(20)') {
    const active: number[] = [];
    let stopTimer: (() => void) | undefined;
    return {
      leadMs: 0,
      start: (i) => {
        startNaive(i);
        grids[i].t0 = Number.NaN; // its grid starts at its first tick
        active.push(i);
        stopTimer ??= interval(() => {
          for (const j of active) sendNaive(j);
        }, 20);
      },
      stop: () => stopTimer?.(),
      notes: () => '',
    };
  }
  const pacer = new Pacer({ ...pacerOptions, clock });
  const streams: PacedStream[] = [];
  return {
    leadMs: PACER_DEFAULTS.leadMs,
    start: (i) => {
      grids[i].t0 = clock.now();
      const s = pacer.add(wireSink(sids[i], grids[i], rec, () => clock.now(), PACER_DEFAULTS.leadMs), { id: sids[i] });
      streams.push(s);
      s.enqueue(SOURCE_1S); // >= jitterBufferMs, so the first frame goes out at once
    },
    stop: () => pacer.close(),
    notes: () => {
      const sum = (k: 'underruns' | 'stalls' | 'lateSends'): number => streams.reduce((n, s) => n + s.stats()[k], 0);
      const st = pacer.stats();
      return `underruns ${sum('underruns')}, stalls ${sum('stalls')}, late sends ${sum('lateSends')}, late ticks ${st.lateTicks}, wakes ${st.wakes}`;
    },
    streams,
  };
}

type IntervalFn = (fn: () => void, ms: number) => () => void;

function expectedFrames(grids: CallGrid[], stopAt: number, leadMs: number): number {
  return grids.reduce((n, g) => (g.n === 0 ? n : n + Math.floor((stopAt - g.t0 + leadMs) / 20) + 1), 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Real Node timers, real per-frame wire work, CPU from process.cpuUsage(). */
export async function runRealtime(
  kind: SchedulerKind,
  calls: number,
  seconds: number,
  seed: number,
  pacerOptions: PacerOptions = {},
): Promise<Row> {
  const rand = prng(seed);
  const clock: Clock = { now: () => performance.now(), setTimeout: (fn, ms) => setTimeout(fn, Math.ceil(ms)), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const rec = new Recorder(Math.ceil((calls * (seconds * 1000 + START_SPREAD_MS + 1000)) / 20));
  const grids: CallGrid[] = Array.from({ length: calls }, () => ({ t0: Number.NaN, n: 0 }));
  const realInterval: IntervalFn = (fn, ms) => {
    const h = setInterval(fn, ms);
    return () => clearInterval(h);
  };
  const h = makeHarness(kind, calls, clock, rec, grids, realInterval, pacerOptions);
  const controllers: AbortController[] = [];
  const producers: Array<Promise<void>> = [];
  const starters: NodeJS.Timeout[] = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let stopAt = wall0;
  let cpu = { user: 0, system: 0 };
  try {
    for (let i = 0; i < calls; i++) {
      starters.push(
        setTimeout(() => {
          h.start(i);
          const s = h.streams?.at(-1);
          if (s) {
            const ac = new AbortController(); // per call, as a gateway's turn signal would be
            controllers.push(ac);
            producers.push(produce(s, ac.signal));
          }
        }, Math.floor(rand() * START_SPREAD_MS)),
      );
    }
    await sleep(START_SPREAD_MS + seconds * 1000);
  } finally {
    // CPU and wall are taken before teardown: steady-state pacing, not closing 1000 streams.
    cpu = process.cpuUsage(cpu0);
    stopAt = performance.now();
    starters.forEach((t) => clearTimeout(t));
    controllers.forEach((c) => c.abort());
    h.stop();
  }
  await Promise.all(producers);
  const wall = stopAt - wall0;
  return {
    mode: 'real-time',
    scheduler: kind,
    calls,
    seconds,
    ...rec.summary(),
    expectedFrames: expectedFrames(grids, stopAt, h.leadMs),
    cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    notes: h.notes(),
  };
}

/** A TTS-like producer: awaits space (back-pressure), then enqueues 1 s. */
async function produce(stream: PacedStream, signal: AbortSignal): Promise<void> {
  try {
    for (;;) {
      await stream.whenBelow(TOP_UP_BELOW_MS, signal);
      stream.enqueue(SOURCE_1S);
    }
  } catch (e) {
    if (signal.aborted || (e instanceof PacerError && e.code === 'PACER_CLOSED')) return;
    throw e;
  }
}

/**
 * Simulated run on a FakeClock. Timer lateness model: U(0,1) ms (Node's 1 ms loop clock) + Exp(mean 0.2 ms), plus
 * host stalls (Poisson, 1 per 10 s, 7-45 ms each: the occasional 7-45 ms maximum errors measured with every timer
 * method on a 2-core box) during which every timer waits for the stall to end. Each frame costs 2.3 µs of clock time
 * (the measured outbound work per frame: encode + base64 + JSON).
 */
export function runSimulated(kind: SchedulerKind, calls: number, seconds: number, seed: number): Row {
  const rand = prng(seed);
  const totalMs = START_SPREAD_MS + seconds * 1000;
  const stalls: Array<[number, number]> = [];
  for (let t = -Math.log(1 - rand()) * 10_000; t < totalMs; t += -Math.log(1 - rand()) * 10_000) {
    stalls.push([t, t + 7 + rand() * 38]);
  }
  const stallEnd = (due: number): number => {
    for (const [a, b] of stalls) if (due >= a && due < b) return b - due;
    return 0;
  };
  const clock = new FakeClock({
    minDelayMs: 1,
    lateness: (due) => rand() - Math.log(1 - rand()) * 0.2 + stallEnd(due),
  });
  const perFrameMs = 0.0023;
  const grids: CallGrid[] = Array.from({ length: calls }, () => ({ t0: Number.NaN, n: 0 }));
  // Node re-arms an interval from its loop clock (whole ms) when it fires, so lateness of a whole ms accumulates.
  const nodeLikeInterval: IntervalFn = (fn, ms) => {
    let handle: unknown;
    const tick = (): void => {
      handle = clock.setTimeout(tick, Math.floor(clock.now()) + ms - clock.now());
      fn();
    };
    handle = clock.setTimeout(tick, ms);
    return () => clock.clearTimeout(handle);
  };
  // Per-frame CPU cost as clock time: a send makes the sends after it in the same wake later.
  const costly = new (class extends Recorder {
    override record(call: CallGrid, now: number, leadMs: number): void {
      super.record(call, now, leadMs);
      clock.stall(perFrameMs);
    }
  })(Math.ceil((calls * (totalMs + 1000)) / 20));
  const h = makeHarness(kind, calls, clock, costly, grids, nodeLikeInterval);
  for (let i = 0; i < calls; i++) clock.setTimeout(() => h.start(i), rand() * START_SPREAD_MS);
  for (let t = 0; t < totalMs; t += 100) {
    for (const s of h.streams ?? []) if (s.stats().queuedMs <= TOP_UP_BELOW_MS) s.enqueue(SOURCE_1S);
    clock.runUntil(Math.min(t + 100, totalMs));
  }
  const stopAt = clock.now();
  h.stop();
  return {
    mode: 'simulated',
    scheduler: kind,
    calls,
    seconds,
    ...costly.summary(),
    expectedFrames: expectedFrames(grids, stopAt, h.leadMs),
    notes: `${h.notes()}${h.notes() ? ', ' : ''}${stalls.length} host stalls`,
  };
}
