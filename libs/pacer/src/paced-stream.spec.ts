// Per-call semantics: framing, marks, clear, jitter buffer, underruns, queue bound, back-pressure, close.
import { FakeClock } from '@voice/testing';
import { Pacer } from './pacer';
import { PacerError } from './errors';
import type { PacerOptions } from './options';
import { audio, flushMicrotasks, recordingSink } from './recording-sink.spec-helper';

function setup(options: PacerOptions = {}) {
  const clock = new FakeClock({ startMs: 10_000 });
  const underruns: number[] = [];
  const pacer = new Pacer({
    clock,
    leadMs: 0,
    jitterBufferMs: 0,
    ...options,
    metrics: { underrun: (e) => underruns.push(e.atMs), ...options.metrics },
  });
  const sink = recordingSink(clock);
  const stream = pacer.add(sink, { id: 'call-1' });
  return { clock, pacer, sink, stream, underruns, t0: clock.now() };
}

describe('framing and padding', () => {
  it('frames chunks of any size and keeps the remainder until more arrives', () => {
    const { clock, sink, stream } = setup();
    const input = audio(100, 9); // 800 bytes
    for (const cut of [[0, 7], [7, 170], [170, 330], [330, 331], [331, 800]]) stream.enqueue(input.subarray(cut[0], cut[1]));
    stream.enqueue(new Uint8Array(0));
    clock.advance(1000);
    expect(sink.mediaBytes()).toEqual(input);
    expect(sink.mediaTimes().length).toBe(5);
  });

  it('holds a partial frame, then pads it with 0xFF at endOfReply', () => {
    const { clock, sink, stream } = setup();
    stream.enqueue(audio(20, 1)); // one frame
    stream.enqueue(audio(20, 2).subarray(0, 100)); // remainder
    clock.advance(200);
    expect(sink.mediaTimes().length).toBe(1);
    expect(stream.stats().queuedMs).toBe(12.5);
    stream.endOfReply();
    clock.advance(200);
    const frames = sink.events.flatMap((e) => (e.kind === 'media' ? [e.bytes] : []));
    expect(frames.length).toBe(2);
    expect(frames[1].subarray(0, 100)).toEqual(audio(20, 2).subarray(0, 100));
    expect(frames[1].subarray(100).every((b) => b === 0xff)).toBe(true);
    expect(stream.stats().phase).toBe('idle');
  });
});

describe('marks', () => {
  it('go out after the frames queued before them', () => {
    const { clock, sink, stream, t0 } = setup();
    stream.mark('before-audio'); // nothing queued: at once
    stream.enqueue(audio(40));
    stream.mark('a');
    stream.enqueue(audio(20));
    stream.mark('b');
    stream.endOfReply();
    stream.mark('c');
    clock.advance(1000);
    expect(sink.order()).toEqual(['before-audio', 'M', 'M', 'a', 'M', 'b', 'c']);
    const at = (name: string): number | undefined => sink.events.find((e) => e.kind === 'mark' && e.name === name)?.at;
    expect(at('before-audio')).toBe(t0);
    expect(at('a')).toBe(t0 + 20); // with the second frame, not a tick later
    expect(at('b')).toBe(t0 + 40);
    expect(at('c')).toBe(t0 + 40);
    expect(stream.stats().marksSent).toBe(4);
  });

  it('pad a partial frame so the mark sits on a frame boundary', () => {
    const { clock, sink, stream } = setup();
    stream.enqueue(audio(30, 4)); // 1.5 frames
    stream.mark('sentence-1');
    stream.enqueue(audio(20, 5));
    stream.endOfReply();
    clock.advance(500);
    expect(sink.order()).toEqual(['M', 'M', 'sentence-1', 'M']);
    const second = sink.events[1];
    if (second.kind !== 'media') throw new Error('expected media');
    expect(second.bytes.subarray(0, 80)).toEqual(audio(30, 4).subarray(160));
    expect(second.bytes.subarray(80).every((b) => b === 0xff)).toBe(true);
  });

  it('go out right away when everything before them has been sent', () => {
    const { clock, sink, stream, t0 } = setup();
    stream.enqueue(audio(40));
    clock.advance(30); // both frames sent (t0, t0 + 20)
    stream.mark('done');
    expect(sink.order()).toEqual(['M', 'M', 'done']);
    expect(sink.events[2].at).toBe(t0 + 30);
  });
});

describe('clear', () => {
  it('drops queued audio and marks synchronously and reports them', () => {
    const { clock, sink, stream, t0 } = setup();
    stream.enqueue(audio(200)); // 10 frames
    stream.mark('m1');
    stream.enqueue(audio(100));
    stream.mark('m2');
    stream.enqueue(audio(10)); // 80-byte remainder
    clock.advance(50); // frames at t0, +20, +40
    const report = stream.clear();
    expect(report).toEqual({ droppedBytes: 12 * 160 + 80, droppedMs: 12 * 20 + 10, droppedMarks: ['m1', 'm2'] });
    const sent = sink.events.length;
    clock.advance(2000);
    expect(sink.events.length).toBe(sent); // nothing queued before clear is sent afterwards
    expect(sink.mediaTimes()).toEqual([t0, t0 + 20, t0 + 40]);
    expect(stream.stats()).toMatchObject({ phase: 'idle', queuedMs: 0, underruns: 0 });
    expect(clock.pendingCount).toBe(0);
  });

  it('lets the next reply start a fresh burst at once', () => {
    const { clock, sink, stream } = setup({ leadMs: 60 });
    stream.enqueue(audio(1000));
    clock.advance(100);
    stream.clear();
    clock.advance(3.5);
    const before = sink.events.length;
    stream.enqueue(audio(100));
    // Twilio was told to clear too, so its buffer is empty: frame + lead go out now, not on the old grid.
    expect(sink.events.slice(before).map((e) => e.at)).toEqual([clock.now(), clock.now(), clock.now(), clock.now()]);
  });

  it('called from inside the sink stops the send loop', () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ clock, leadMs: 100, jitterBufferMs: 0 });
    let sent = 0;
    let report: ReturnType<typeof stream.clear> | undefined;
    const stream = pacer.add({
      sendMedia: () => {
        if (++sent === 2) report = stream.clear();
      },
      sendMark: () => undefined,
    });
    stream.enqueue(audio(200)); // 6 frames are due at once (lead 100), the sink clears at the 2nd
    expect(sent).toBe(2);
    expect(report?.droppedBytes).toBe(8 * 160);
    clock.advance(1000);
    expect(sent).toBe(2);
  });
});

describe('jitter buffer', () => {
  const jb = { jitterBufferMs: 160, jitterBufferMinMs: 40 };

  it('holds a reply until jitterBufferMs is queued, then sends at once', () => {
    const { clock, sink, stream, t0 } = setup(jb);
    stream.enqueue(audio(100));
    clock.advance(30);
    expect(sink.events).toEqual([]);
    stream.enqueue(audio(60));
    expect(sink.mediaTimes()).toEqual([t0 + 30]);
    expect(stream.stats().phase).toBe('playing');
  });

  it('releases after jitterBufferMs of waiting when at least jitterBufferMinMs is queued', () => {
    const { clock, sink, stream, t0 } = setup(jb);
    stream.enqueue(audio(100));
    clock.advance(159);
    expect(sink.events).toEqual([]);
    clock.advance(1);
    expect(sink.mediaTimes()).toEqual([t0 + 160]);
  });

  it('keeps holding below jitterBufferMinMs until more audio arrives', () => {
    const { clock, sink, stream, t0 } = setup(jb);
    stream.enqueue(audio(20));
    clock.advance(500);
    expect(sink.events).toEqual([]);
    expect(clock.pendingCount).toBe(0); // nothing to wake for
    stream.enqueue(audio(25)); // 40 ms of whole frames, long past the hold time
    expect(sink.mediaTimes()).toEqual([t0 + 500]);
  });

  it('releases a complete reply at once, however short', () => {
    const { sink, stream, t0 } = setup(jb);
    stream.enqueue(audio(10));
    expect(sink.events).toEqual([]);
    stream.endOfReply();
    expect(sink.mediaTimes()).toEqual([t0]);
  });

  it('holds each new reply, not frames within a reply', () => {
    const { clock, sink, stream, t0 } = setup(jb);
    stream.enqueue(audio(200));
    stream.endOfReply();
    clock.advance(1000);
    expect(sink.mediaTimes().length).toBe(10);
    stream.enqueue(audio(100)); // next reply: held again
    clock.advance(100);
    expect(sink.mediaTimes().length).toBe(10);
    clock.advance(60);
    expect(sink.mediaTimes().at(-1)).toBe(t0 + 1160);
  });
});

describe('underruns', () => {
  it('counts a queue that runs dry mid-reply, once per dry spell', () => {
    const { clock, stream, underruns, t0 } = setup();
    stream.enqueue(audio(60));
    clock.advance(500);
    expect(stream.stats().underruns).toBe(1);
    expect(underruns).toEqual([t0 + 60]);
    stream.enqueue(audio(40));
    clock.advance(500);
    expect(stream.stats().underruns).toBe(2);
    stream.endOfReply();
    clock.advance(500);
    expect(stream.stats()).toMatchObject({ underruns: 2, phase: 'idle', framesSent: 5 });
  });

  it('does not count the end of a reply', () => {
    const { clock, stream } = setup();
    stream.enqueue(audio(60));
    stream.endOfReply();
    clock.advance(500);
    expect(stream.stats()).toMatchObject({ underruns: 0, framesSent: 3, phase: 'idle' });
  });

  it('resumes on the same grid when audio returns while Twilio still holds the lead', () => {
    const { clock, sink, stream, t0 } = setup({ leadMs: 60 });
    stream.enqueue(audio(100)); // frames 0..3 at t0, frame 4 at t0 + 20
    clock.advance(45); // frame 5 was due at t0 + 40: dry
    expect(stream.stats().underruns).toBe(1);
    stream.enqueue(audio(60));
    expect(sink.mediaTimes().at(-1)).toBe(t0 + 45); // late frame 5 at once
    clock.advance(100);
    expect(sink.mediaTimes().slice(-3)).toEqual([t0 + 45, t0 + 60, t0 + 80]); // frames 6, 7 on the original grid
    expect(stream.stats().lateSends).toBe(0); // 5 ms late is within lateToleranceMs
  });

  it('rebuffers when Twilio ran out, counting the hold from when audio stopped', () => {
    const { clock, sink, stream, t0 } = setup({ leadMs: 0, jitterBufferMs: 160, jitterBufferMinMs: 40 });
    stream.enqueue(audio(200)); // released at once (>= 160), plays until t0 + 200
    clock.advance(300);
    expect(stream.stats().underruns).toBe(1);
    stream.enqueue(audio(20)); // below the minimum: held
    expect(sink.mediaTimes().length).toBe(10);
    clock.advance(10);
    stream.enqueue(audio(20)); // 40 ms, and the caller has heard nothing for 110 ms: wait until 160 after the stop
    expect(sink.mediaTimes().length).toBe(10);
    clock.advance(50);
    expect(sink.mediaTimes().slice(10)).toEqual([t0 + 360]);
  });
});

describe('queue bound and back-pressure', () => {
  it('throws PACER_QUEUE_FULL beyond maxQueuedMs and queues nothing of that chunk', () => {
    const { stream } = setup({ maxQueuedMs: 100, jitterBufferMs: 1000, jitterBufferMinMs: 1000 });
    stream.enqueue(audio(100));
    let caught: unknown;
    try {
      stream.enqueue(new Uint8Array(1));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PacerError);
    expect(caught).toMatchObject({ code: 'PACER_QUEUE_FULL', retryable: true });
    expect(stream.stats().queuedMs).toBe(100);
  });

  it('whenBelow resolves once the queue drains to the threshold', async () => {
    const { clock, stream, t0 } = setup({ leadMs: 60 });
    stream.enqueue(audio(1000)); // 4 frames at t0, then one per 20 ms
    let resolvedAt: number | undefined;
    const p = stream.whenBelow(500).then(() => {
      resolvedAt = clock.now();
    });
    for (let i = 0; i < 1000 && resolvedAt === undefined; i++) {
      clock.advance(1);
      await flushMicrotasks();
    }
    await p;
    // 25 frames sent leaves 500 ms: frames 0..3 at t0, frame n at t0 + 20n - 60, so frame 24 at t0 + 420
    expect(resolvedAt).toBe(t0 + 420);
    await expect(stream.whenBelow(10_000)).resolves.toBeUndefined();
  });

  it('whenBelow rejects with the abort reason, and with PACER_CLOSED on close', async () => {
    const { stream } = setup({ jitterBufferMs: 1000, jitterBufferMinMs: 1000 });
    stream.enqueue(audio(500));
    const ac = new AbortController();
    const aborted = stream.whenBelow(100, ac.signal);
    const reason = new Error('turn aborted');
    ac.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    await expect(stream.whenBelow(0, ac.signal)).rejects.toBe(reason);
    const closing = stream.whenBelow(100);
    stream.close();
    await expect(closing).rejects.toMatchObject({ code: 'PACER_CLOSED' });
  });

  it('whenBelow resolves on clear', async () => {
    const { stream } = setup({ jitterBufferMs: 1000, jitterBufferMinMs: 1000 });
    stream.enqueue(audio(500));
    const p = stream.whenBelow(0);
    stream.clear();
    await expect(p).resolves.toBeUndefined();
  });
});

describe('close and failures', () => {
  it('close stops the stream, drops its audio and releases the timer', () => {
    const { clock, pacer, sink, stream } = setup();
    stream.enqueue(audio(1000));
    stream.close();
    stream.close();
    expect(clock.pendingCount).toBe(0);
    clock.advance(1000);
    expect(sink.mediaTimes().length).toBe(1);
    expect(() => stream.enqueue(audio(20))).toThrow(expect.objectContaining({ code: 'PACER_CLOSED', retryable: false }));
    expect(() => stream.mark('x')).toThrow(PacerError);
    expect(stream.clear()).toEqual({ droppedBytes: 0, droppedMs: 0, droppedMarks: [] });
    expect(stream.stats().phase).toBe('closed');
    expect(pacer.size).toBe(0);
  });

  it('pacer.close closes every stream and refuses new ones', () => {
    const { clock, pacer, stream } = setup();
    const other = pacer.add(recordingSink(clock));
    stream.enqueue(audio(1000));
    other.enqueue(audio(1000));
    pacer.close();
    expect(clock.pendingCount).toBe(0);
    expect(stream.stats().phase).toBe('closed');
    expect(other.stats().phase).toBe('closed');
    expect(() => pacer.add(recordingSink(clock))).toThrow(expect.objectContaining({ code: 'PACER_CLOSED' }));
  });

  it('a throwing sink closes only its own stream and is reported', () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    const pacer = new Pacer({ clock, leadMs: 0, jitterBufferMs: 0, metrics: { sinkError: (e) => errors.push(e.error) } });
    let n = 0;
    const bad = pacer.add({
      sendMedia: () => {
        if (++n === 3) throw new Error('socket closed');
      },
      sendMark: () => undefined,
    });
    const good = recordingSink(clock);
    pacer.add(good).enqueue(audio(200));
    bad.enqueue(audio(200));
    clock.advance(500);
    expect(n).toBe(3);
    expect(bad.stats().phase).toBe('closed');
    expect(good.mediaTimes().length).toBe(10);
    expect(errors).toEqual([expect.objectContaining({ code: 'PACER_SINK_FAILED', cause: expect.objectContaining({ message: 'socket closed' }) })]);
  });

  it('rejects invalid options with PACER_INVALID_OPTION', () => {
    const bad = [{ leadMs: -1 }, { jitterBufferMs: Number.NaN }, { jitterBufferMs: 100, jitterBufferMinMs: 200 }, { maxQueuedMs: 0 }, { coalesceMs: 15 }];
    for (const o of bad) expect(() => new Pacer(o)).toThrow(expect.objectContaining({ code: 'PACER_INVALID_OPTION' }));
    // an inherited minimum is clamped to a smaller per-call target
    const pacer = new Pacer({ clock: new FakeClock(), jitterBufferMinMs: 40 });
    expect(() => pacer.add(recordingSink({ now: () => 0 }), { jitterBufferMs: 20 })).not.toThrow();
    expect(() => pacer.add(recordingSink({ now: () => 0 }), { leadMs: -5 })).toThrow(PacerError);
  });
});
