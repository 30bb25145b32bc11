import { concatPcm, quietNoise, syntheticVowel } from '../testing/synthetic-speech';
import { createVad } from './vad';

const frames = (pcm: Int16Array, n: number): Int16Array[] =>
  Array.from({ length: Math.floor(pcm.length / n) }, (_, i) => pcm.subarray(i * n, (i + 1) * n));

describe('createVad (fvad WASM)', () => {
  it('classifies a voiced signal as speech and room tone as non-speech at 8 kHz, in every mode', async () => {
    for (const mode of [0, 1, 2, 3] as const) {
      const vad = await createVad({ sampleRate: 8000, mode });
      expect(vad.frameSamples).toBe(160);
      const decide = (pcm: Int16Array) => frames(pcm, 160).map((f) => vad.isSpeech(f));
      const noise = decide(quietNoise(1000)).slice(10); // fvad needs a few frames to adapt
      const speech = decide(syntheticVowel(1000)).slice(5);
      expect(noise.filter(Boolean).length).toBeLessThanOrEqual(2);
      expect(speech.filter(Boolean).length).toBeGreaterThanOrEqual(speech.length - 2);
      vad.dispose();
    }
  });

  it('process() runs the endpointer: onset and offset of an utterance', async () => {
    const vad = await createVad({ sampleRate: 8000, mode: 3, onsetMs: 60, hangoverMs: 300 });
    const pcm = concatPcm(quietNoise(600), syntheticVowel(800), quietNoise(800, { seed: 3 }));
    const events = frames(pcm, 160)
      .map((f) => vad.process(f).event)
      .filter((e) => e !== undefined);
    expect(events.map((e) => e.type)).toEqual(['onset', 'offset']);
    expect(events[0].atMs).toBeGreaterThanOrEqual(560);
    expect(events[0].atMs).toBeLessThanOrEqual(660);
    expect(events[1].atMs).toBeGreaterThanOrEqual(1380);
    expect(events[1].atMs).toBeLessThanOrEqual(1560);
    vad.dispose();
  });

  it('works at 16 kHz with 10 ms frames, rejects wrong frame sizes and bad rates, and can be reset', async () => {
    const vad = await createVad({ sampleRate: 16000, frameMs: 10, mode: 2 });
    expect(vad.frameSamples).toBe(160);
    const speech = frames(syntheticVowel(500, { sampleRate: 16000 }), 160).map((f) => vad.isSpeech(f));
    expect(speech.slice(5).every(Boolean)).toBe(true);
    expect(() => vad.isSpeech(new Int16Array(159))).toThrow(RangeError);
    vad.reset();
    expect(vad.endpointer.timeMs).toBe(0);
    expect(vad.isSpeech(new Int16Array(160))).toBe(false);
    vad.dispose();
    expect(() => vad.isSpeech(new Int16Array(160))).toThrow(/dispose/);
    await expect(createVad({ sampleRate: 11025 as 8000 })).rejects.toThrow(RangeError);
  });

  it('many instances share one module and free their memory', async () => {
    const vads = await Promise.all(Array.from({ length: 50 }, () => createVad({ sampleRate: 8000 })));
    const f = syntheticVowel(20);
    for (const v of vads) v.isSpeech(f);
    vads.forEach((v) => v.dispose());
  });
});
