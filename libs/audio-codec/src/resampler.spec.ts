import { AudioCodecError } from './errors';
import { Resampler, resample } from './resampler';
import { fitAmplitude, levelDbfs, noise, snrVsIdealDb, toDb, tone } from './spec-helpers/signals';

const RATES = [8000, 16000, 22050, 24000, 44100, 48000];
const PAIRS = RATES.flatMap((from) => RATES.map((to) => [from, to] as const));

/** Feeds `input` in chunks of the given sizes (cycled) and returns everything, flush included. */
function streamed(r: Resampler, input: Int16Array, sizes: readonly number[]): Int16Array {
  const parts: Int16Array[] = [];
  for (let at = 0, i = 0; at < input.length; i++) {
    const size = sizes[i % sizes.length];
    parts.push(r.process(input.subarray(at, at + size)));
    at += size;
  }
  parts.push(r.flush());
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const whole = (r: Resampler, input: Int16Array): Int16Array => streamed(r, input, [input.length || 1]);

describe('Resampler streaming', () => {
  it.each(PAIRS)('%i → %i: any chunking is bit-identical to the whole buffer', (from, to) => {
    const input = noise(Math.round(from * 0.12) + 7, from + to);
    const expected = whole(new Resampler(from, to), input);
    expect(expected.length).toBe(Math.round((input.length * to) / from));
    const r = new Resampler(from, to);
    for (const sizes of [[from / 50], [7, 13, 1, 333], [1]]) {
      expect(streamed(r, input, sizes.map(Math.round))).toEqual(expected);
    }
  });

  it.each([
    [24000, 8000],
    [16000, 8000],
    [48000, 8000],
    [22050, 8000],
    [8000, 24000],
  ])('%i → %i at high quality: chunked is bit-identical to whole', (from, to) => {
    const input = noise(Math.round(from * 0.1) + 3, 77);
    const expected = whole(new Resampler(from, to, { quality: 'high' }), input);
    expect(streamed(new Resampler(from, to, { quality: 'high' }), input, [7, 160, 1])).toEqual(expected);
  });

  it('keeps to the length rule round(N·to/from) for every N, any chunking', () => {
    for (const [from, to] of [[24000, 8000], [22050, 8000], [8000, 44100], [48000, 44100], [16000, 8000]] as const) {
      const r = new Resampler(from, to);
      for (let n = 0; n <= 60; n++) {
        const input = noise(n, n);
        expect(whole(r, input).length).toBe(Math.round((n * to) / from));
        expect(streamed(r, input, [2, 1]).length).toBe(Math.round((n * to) / from));
      }
    }
  });

  it('holds the first output back by no more than latencyMs (the right half of the filter)', () => {
    for (const [from, to] of [[24000, 8000], [22050, 8000], [8000, 16000], [48000, 8000]] as const) {
      const r = new Resampler(from, to);
      expect(r.latencyMs).toBeGreaterThan(0);
      expect(r.latencyMs).toBeLessThan(2);
      const chunk = from / 50; // 20 ms
      const first = r.process(new Int16Array(Math.round(chunk)));
      // Everything up to (20 ms − latency) of output time is already out.
      expect(first.length).toBeGreaterThanOrEqual(Math.floor(((20 - r.latencyMs) / 1000) * to));
      expect(first.length).toBeLessThan(Math.ceil((20 / 1000) * to));
    }
  });

  it('reports outputLengthFor and maxOutputLength consistently with process', () => {
    const r = new Resampler(22050, 8000);
    const input = noise(5000, 3);
    for (let at = 0, size = 1; at < input.length; at += size, size = (size * 7 + 3) % 500) {
      const chunk = input.subarray(at, at + size);
      const predicted = r.outputLengthFor(chunk.length);
      expect(predicted).toBeLessThanOrEqual(r.maxOutputLength(chunk.length));
      expect(r.process(chunk).length).toBe(predicted);
    }
  });

  it('writes into out and returns a view of it, throwing AUDIO_BUFFER_TOO_SMALL when short', () => {
    const r = new Resampler(24000, 8000);
    const out = new Int16Array(r.maxOutputLength(480));
    const view = r.process(noise(480, 1), out);
    expect(view.buffer).toBe(out.buffer);
    const again = new Resampler(24000, 8000).process(noise(480, 1));
    expect(Array.from(view)).toEqual(Array.from(again));
    expect(() => r.process(noise(480, 2), new Int16Array(10))).toThrow(
      expect.objectContaining({ code: 'AUDIO_BUFFER_TOO_SMALL' }) as Error,
    );
  });

  it('reset forgets the stream; flush leaves a fresh resampler', () => {
    const input = noise(3000, 9);
    const fresh = whole(new Resampler(24000, 16000), input);
    const r = new Resampler(24000, 16000);
    r.process(noise(1234, 4));
    r.reset();
    expect(whole(r, input)).toEqual(fresh);
    expect(whole(r, input)).toEqual(fresh);
  });

  it('copies input through unchanged when the rates are equal', () => {
    const input = noise(100, 5);
    const r = new Resampler(16000, 16000);
    const out = r.process(input);
    expect(out).toEqual(input);
    expect(out.buffer).not.toBe(input.buffer);
    expect(r.flush().length).toBe(0);
    expect(r.latencyMs).toBe(0);
  });

  it('clips instead of wrapping when the filter overshoots full scale', () => {
    const square = Int16Array.from({ length: 4800 }, (_, i) => (Math.floor(i / 60) % 2 === 0 ? 32767 : -32768));
    const y = resample(square, 24000, 8000);
    expect(Math.max(...y)).toBe(32767); // Gibbs overshoot reached the rail
    // A wrapped overshoot would show up as a sample of the opposite sign inside a half period.
    for (let k = 20; k < y.length - 20; k++) {
      const phase = ((k * 3) % 120) / 120;
      if (phase > 0.1 && phase < 0.4) expect(y[k]).toBeGreaterThan(20000);
      if (phase > 0.6 && phase < 0.9) expect(y[k]).toBeLessThan(-20000);
    }
  });

  it('rejects unusable rates and qualities with coded errors', () => {
    expect(() => new Resampler(0, 8000)).toThrow(AudioCodecError);
    expect(() => new Resampler(8000.5, 8000)).toThrow(expect.objectContaining({ code: 'AUDIO_BAD_RATE' }) as Error);
    expect(() => new Resampler(44100, 44099)).toThrow(expect.objectContaining({ code: 'AUDIO_BAD_RATE' }) as Error);
    expect(() => new Resampler(8000, 16000, { quality: 'best' as 'high' })).toThrow(AudioCodecError);
  });
});

describe('Resampler quality (deterministic; the quality bar stated in the README)', () => {
  const seconds = 0.5;
  const amplitude = 0.9 * 32767;

  describe.each([
    [24000, 8000],
    [22050, 8000],
    [16000, 8000],
    [48000, 8000],
    [44100, 8000],
  ])('%i → %i', (from, to) => {
    const n = from * seconds;
    const outLength = to * seconds;
    const [a, b] = [100, outLength - 100]; // away from the start-up and flush edges

    it('removes a 5 kHz tone (above the 4 kHz output Nyquist) to ≤ −90 dBFS', () => {
      const y = resample(tone(5000, from, n, 32767), from, to);
      expect(levelDbfs(y, a, b)).toBeLessThanOrEqual(-90);
    });

    it('keeps the pass band within 0.1 dB up to 3 kHz', () => {
      for (const f of [100, 300, 700, 1000, 1500, 2000, 2500, 2800, 3000]) {
        const y = resample(tone(f, from, n, amplitude), from, to);
        expect(Math.abs(toDb(fitAmplitude(y, f, to, a, b) / amplitude))).toBeLessThanOrEqual(0.1);
      }
    });

    it('reproduces a 1 kHz tone at ≥ 79 dB SNR against the ideal, time-aligned output', () => {
      const y = resample(tone(1000, from, n, amplitude), from, to);
      expect(y.length).toBe(outLength);
      expect(snrVsIdealDb(y, 1000, to, amplitude, a, b)).toBeGreaterThanOrEqual(79);
    });
  });

  describe.each([
    [8000, 16000],
    [8000, 24000],
    [8000, 48000],
    [8000, 44100],
  ])('%i → %i', (from, to) => {
    const n = from * seconds;
    // The fit window spans whole 0.1 s periods, so 2.99 kHz and 5.01 kHz are orthogonal over it (otherwise the
    // tone's leakage into the 5.01 kHz fit, ≈ −69 dB, would be measured instead of the image).
    const [a, b] = [Math.round(to / 50), Math.round(to / 50) + Math.round(0.4 * to)];

    // 2990 Hz rather than 3000: a tone commensurate with 8 kHz makes the int16 rounding error periodic with a
    // 1 ms period, concentrating it on whole kHz, right on a 5 kHz image; at 2.99 kHz it spreads over 10 Hz lines.
    it('suppresses the image of a 2.99 kHz tone (at 5.01 kHz) to ≤ −90 dBc and keeps 1 kHz at ≥ 79 dB SNR', () => {
      const y3 = resample(tone(2990, from, n, amplitude), from, to);
      expect(toDb(fitAmplitude(y3, 5010, to, a, b) / amplitude)).toBeLessThanOrEqual(-90);
      expect(Math.abs(toDb(fitAmplitude(y3, 2990, to, a, b) / amplitude))).toBeLessThanOrEqual(0.1);
      const y1 = resample(tone(1000, from, n, amplitude), from, to);
      expect(snrVsIdealDb(y1, 1000, to, amplitude, a, b)).toBeGreaterThanOrEqual(79);
    });
  });

  it('high quality stays flat to 3.4 kHz at 8 kHz output', () => {
    const from = 24000;
    const y = resample(tone(3400, from, from / 2, amplitude), from, 8000, { quality: 'high' });
    expect(Math.abs(toDb(fitAmplitude(y, 3400, 8000, 100, 3900) / amplitude))).toBeLessThanOrEqual(0.1);
    const alias = resample(tone(4700, from, from / 2, 32767), from, 8000, { quality: 'high' });
    expect(levelDbfs(alias, 100, 3900)).toBeLessThanOrEqual(-90);
  });
});
