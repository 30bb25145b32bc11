import { type AudioChunk, type AudioFormat, decodeMulaw, MULAW_8K, pcm16Format } from '@voice/audio-codec';
import { drain as collect } from '../testing/drain';
import { TtsError } from '../tts-error';
import type { SynthesizeOptions, TtsProvider } from '../types';
import type { CsmMetricEvent } from './csm-metrics';
import { withBackchannel } from './with-backchannel';

/** Yields `chunks` chunks of `fill` bytes after `delayMs`, `gapMs` apart; records what it was asked and whether it was aborted. */
class TimedProvider implements TtsProvider {
  readonly calls: Array<{ text: string; aborted: boolean }> = [];
  constructor(
    readonly name: string,
    readonly format: AudioFormat,
    private readonly o: { delayMs: number; gapMs?: number; chunks: number; fill: number; failWith?: TtsError },
  ) {}
  async *synthesize(text: string, o: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    const call = { text, aborted: false };
    this.calls.push(call);
    const wait = (ms: number): Promise<boolean> =>
      new Promise((resolve) => {
        const onAbort = (): void => {
          clearTimeout(t);
          resolve(false);
        };
        const t = setTimeout(() => {
          o.signal.removeEventListener('abort', onAbort);
          resolve(true);
        }, ms);
        if (o.signal.aborted) onAbort();
        else o.signal.addEventListener('abort', onAbort, { once: true });
      });
    if (!(await wait(this.o.delayMs))) return void (call.aborted = true);
    if (this.o.failWith) throw this.o.failWith;
    for (let i = 0; i < this.o.chunks; i++) {
      if (i > 0 && !(await wait(this.o.gapMs ?? 0))) return void (call.aborted = true);
      yield { data: new Uint8Array(this.format.encoding === 'mulaw' ? 80 : 160).fill(this.o.fill), format: this.format };
    }
  }
}

describe('withBackchannel', () => {
  const signal = new AbortController().signal;
  let events: CsmMetricEvent[];
  beforeEach(() => {
    events = [];
  });

  it('in time: the primary alone; late: the whole phrase first, then every primary chunk in order', async () => {
    const primary = new TimedProvider('slow', MULAW_8K, { delayMs: 120, gapMs: 1, chunks: 3, fill: 0x11 });
    const speaker = new TimedProvider('fast', MULAW_8K, { delayMs: 0, gapMs: 5, chunks: 4, fill: 0x22 });
    const tts = withBackchannel(primary, speaker, { afterMs: 30, onMetric: (e) => events.push(e) });
    const out = await collect(tts.synthesize('Let me check.', { signal, context: { turnId: 'a', sentenceIndex: 0 } }));
    expect(out.map((c) => c.data[0])).toEqual([0x22, 0x22, 0x22, 0x22, 0x11, 0x11, 0x11]);
    expect(speaker.calls.map((c) => c.text)).toEqual(['Mm-hm.']);
    expect(events).toEqual([{ kind: 'backchannel', text: 'Mm-hm.', turnId: 'a', afterMs: expect.any(Number), completed: true }]);
    const fast = withBackchannel(new TimedProvider('quick', MULAW_8K, { delayMs: 0, chunks: 2, fill: 0x33 }), speaker, { afterMs: 200 });
    expect((await collect(fast.synthesize('Sure.', { signal }))).map((c) => c.data[0])).toEqual([0x33, 0x33]);
    expect(speaker.calls).toHaveLength(1);
  });

  it('once per reply, on its first sentence only; phrases are used in turn', async () => {
    const primary = new TimedProvider('slow', MULAW_8K, { delayMs: 60, chunks: 1, fill: 1 });
    const speaker = new TimedProvider('fast', MULAW_8K, { delayMs: 0, chunks: 1, fill: 2 });
    const tts = withBackchannel(primary, speaker, { afterMs: 10, phrases: ['Mm-hm.', 'Hum-hum.'] });
    await collect(tts.synthesize('One.', { signal, context: { turnId: 'r', sentenceIndex: 0 } }));
    await collect(tts.synthesize('Two.', { signal, context: { turnId: 'r', sentenceIndex: 1 } }));
    await collect(tts.synthesize('One again.', { signal, context: { turnId: 'r' } })); // same reply, index unknown
    await collect(tts.synthesize('Next reply.', { signal, context: { turnId: 's', sentenceIndex: 0 } }));
    expect(speaker.calls.map((c) => c.text)).toEqual(['Mm-hm.', 'Hum-hum.']);
  });

  it('a failing speaker is skipped: the primary audio still comes, the metric says not completed', async () => {
    const primary = new TimedProvider('slow', MULAW_8K, { delayMs: 60, chunks: 2, fill: 1 });
    const error = new TtsError('TTS_CONNECTION_LOST', 'down', { provider: 'fast', retryable: true });
    const speaker = new TimedProvider('fast', MULAW_8K, { delayMs: 0, chunks: 1, fill: 2, failWith: error });
    const tts = withBackchannel(primary, speaker, { afterMs: 10, onMetric: (e) => events.push(e) });
    expect((await collect(tts.synthesize('Hello.', { signal }))).map((c) => c.data[0])).toEqual([1, 1]);
    expect(events).toMatchObject([{ kind: 'backchannel', completed: false }]);
  });

  it('an abort during the phrase stops both: nothing more is yielded and the primary sees the abort', async () => {
    const primary = new TimedProvider('slow', MULAW_8K, { delayMs: 500, chunks: 2, fill: 1 });
    const speaker = new TimedProvider('fast', MULAW_8K, { delayMs: 0, gapMs: 20, chunks: 10, fill: 2 });
    const tts = withBackchannel(primary, speaker, { afterMs: 10 });
    const ac = new AbortController();
    const seen: number[] = [];
    for await (const c of tts.synthesize('Hello.', { signal: ac.signal })) {
      seen.push(c.data[0] ?? -1);
      ac.abort();
    }
    expect(seen).toEqual([2]);
    await new Promise((r) => setTimeout(r, 20));
    expect(primary.calls[0]?.aborted).toBe(true);
    expect(speaker.calls[0]?.aborted).toBe(true);
  });

  it("transcodes the speaker's audio to the primary's format", async () => {
    const primary = new TimedProvider('slow', MULAW_8K, { delayMs: 40, chunks: 1, fill: 0xff });
    // PCM16 8 kHz chunks of 80 samples at 0x0101 = 257.
    const speaker = new TimedProvider('pcm', pcm16Format(8000), { delayMs: 0, chunks: 2, fill: 1 });
    const tts = withBackchannel(primary, speaker, { afterMs: 5 });
    const out = await collect(tts.synthesize('Hello.', { signal }));
    expect(out.every((c) => c.format === MULAW_8K)).toBe(true);
    const phrase = decodeMulaw(Buffer.concat(out.slice(0, -1).map((c) => c.data)));
    expect(phrase.length).toBe(160); // 2 × 80 samples, one μ-law byte each
    for (const s of phrase) expect(Math.abs(s - 257)).toBeLessThanOrEqual(8); // G.711 step near 257 is 8
  });
});
