import { concatPcm, quietNoise, syntheticVowel } from '../testing/synthetic-speech';
import { type SegmenterEvent, VadSegmenter } from './segmenter';
import { createVad } from './vad';

async function segment(pcm: Int16Array, chunk: number, o = {}) {
  const vad = await createVad({ sampleRate: 8000, mode: 3, onsetMs: 60, hangoverMs: 300 });
  const seg = new VadSegmenter(vad, { preRollMs: 200, postRollMs: 100, ...o });
  const events: SegmenterEvent[] = [];
  for (let i = 0; i < pcm.length; i += chunk) events.push(...seg.push(pcm.subarray(i, i + chunk)));
  events.push(...seg.flush());
  vad.dispose();
  return events;
}

describe('VadSegmenter', () => {
  const pcm = concatPcm(quietNoise(600), syntheticVowel(700), quietNoise(900, { seed: 2 }), syntheticVowel(500), quietNoise(700, { seed: 5 }));

  it('emits onset then a segment per utterance, with pre-roll and post-roll audio', async () => {
    const events = await segment(pcm, 160);
    expect(events.map((e) => e.type)).toEqual(['onset', 'segment', 'offset', 'onset', 'segment', 'offset']);
    type On = Extract<SegmenterEvent, { type: 'onset' | 'offset' }>;
    type Seg = Extract<SegmenterEvent, { type: 'segment' }>;
    const [on1, s1, off1, on2, s2] = events as [On, Seg, On, On, Seg];
    expect(off1.atMs).toBe(s1.segment.speechEndMs);
    expect(on1.atMs).toBeGreaterThanOrEqual(560);
    expect(on1.atMs).toBeLessThanOrEqual(660);
    expect(s1.segment.speechStartMs).toBe(on1.atMs);
    expect(s1.segment.startMs).toBe(on1.atMs - 200);
    expect(s1.segment.endMs).toBe(s1.segment.speechEndMs + 100);
    expect(s1.segment.pcm.length).toBe(((s1.segment.endMs - s1.segment.startMs) * 8000) / 1000);
    // The segment's samples are the stream's samples at those times.
    const from = (s1.segment.startMs * 8000) / 1000;
    expect(Array.from(s1.segment.pcm.subarray(0, 400))).toEqual(Array.from(pcm.subarray(from, from + 400)));
    expect(on2.atMs).toBeGreaterThanOrEqual(2160);
    expect(s2.segment.speechEndMs).toBeGreaterThan(on2.atMs + 400);
  });

  it('gives the same result for any chunking (odd sizes split frames)', async () => {
    const whole = await segment(pcm, pcm.length);
    const odd = await segment(pcm, 97);
    const shape = (es: SegmenterEvent[]) => es.map((e) => (e.type !== 'segment' ? e.atMs : [e.segment.startMs, e.segment.endMs, e.segment.pcm.length]));
    expect(shape(odd)).toEqual(shape(whole));
  });

  it('flush() closes a segment still open at the end; maxSegmentMs cuts long speech', async () => {
    const open = await segment(concatPcm(quietNoise(300), syntheticVowel(600)), 160);
    expect(open.map((e) => e.type)).toEqual(['onset', 'segment', 'offset']);
    expect(open[1].type === 'segment' && open[1].segment.speechEndMs).toBe(900);
    const long = await segment(concatPcm(quietNoise(300), syntheticVowel(2500), quietNoise(600)), 160, { maxSegmentMs: 1000 });
    // The speech ends inside the third piece, after it was cut: the offset follows with no fourth segment.
    expect(long.map((e) => e.type)).toEqual(['onset', 'segment', 'segment', 'segment', 'offset']);
    const segs = long.flatMap((e) => (e.type === 'segment' ? [e.segment] : []));
    expect(segs[1].startMs).toBe(segs[0].endMs);
    expect(segs[2].startMs).toBe(segs[1].endMs);
    expect(segs.map((x) => x.cut)).toEqual([true, true, true]);
    expect(open[1].type === 'segment' && open[1].segment.cut).toBe(false);
  });
});
