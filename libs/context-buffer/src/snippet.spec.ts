import { resample } from '@voice/audio-codec';
import { ContextBufferError } from './errors';
import { checkAudio, joinCapped, toSnippet } from './snippet';
import { ramp, voiceLike, expectSameSamples } from './audio.spec-helper';

describe('toSnippet', () => {
  it('copies same-rate audio, keeping exactly the last cap samples', () => {
    const src = ramp(50_000);
    const s = toSnippet({ samples: src, sampleRate: 24_000 }, 24_000, 12_345, 'end') as Int16Array;
    expect(s.length).toBe(12_345);
    expectSameSamples(s, src.subarray(50_000 - 12_345));
    src.fill(0); // callers reuse their buffers: the snippet must not alias them
    expect(s[0]).not.toBe(0);
  });

  it("keeps the first cap samples with keep 'start'", () => {
    const src = ramp(50_000, 3);
    const s = toSnippet({ samples: src, sampleRate: 24_000 }, 24_000, 1000, 'start') as Int16Array;
    expectSameSamples(s, src.subarray(0, 1000));
  });

  it('returns short audio whole, and nothing for a zero cap', () => {
    const src = ramp(100);
    expectSameSamples(toSnippet({ samples: src, sampleRate: 24_000 }, 24_000, 1000, 'end') as Int16Array, src);
    expect(toSnippet({ samples: src, sampleRate: 24_000 }, 24_000, 0, 'end')).toBeUndefined();
  });

  it.each([8000, 16_000, 22_050, 44_100, 48_000])(
    'resamples only the kept end of %i Hz audio, bit-identical to the tail of a whole resample',
    (rate) => {
      const src = voiceLike(Math.round(rate * 4.3) + 7, rate);
      const full = resample(src, rate, 24_000);
      const cap = 24_000 * 2 + 17;
      const s = toSnippet({ samples: src, sampleRate: rate }, 24_000, cap, 'end') as Int16Array;
      expect(s.length).toBe(cap);
      expectSameSamples(s, full.subarray(full.length - cap));
    },
  );

  it.each([8000, 44_100])('resamples only the kept start of %i Hz audio, identical to the head of a whole resample', (rate) => {
    const src = voiceLike(rate * 5, rate, 2);
    const full = resample(src, rate, 24_000);
    const s = toSnippet({ samples: src, sampleRate: rate }, 24_000, 30_001, 'start') as Int16Array;
    expectSameSamples(s, full.subarray(0, 30_001));
  });

  it('resamples audio shorter than the cap whole (round(n·to/from) samples)', () => {
    const src = voiceLike(8001, 8000);
    const s = toSnippet({ samples: src, sampleRate: 8000 }, 24_000, 24_000 * 6, 'end') as Int16Array;
    expect(s.length).toBe(24_003);
    expectSameSamples(s, resample(src, 8000, 24_000));
  });
});

describe('checkAudio', () => {
  it('treats undefined and empty audio as no audio', () => {
    expect(checkAudio(undefined, 'x')).toBe(false);
    expect(checkAudio({ samples: new Int16Array(0), sampleRate: 8000 }, 'x')).toBe(false);
    expect(checkAudio({ samples: new Int16Array(1), sampleRate: 8000 }, 'x')).toBe(true);
  });

  it.each([
    ['a Float32Array', { samples: new Float32Array(10), sampleRate: 8000 }],
    ['bytes', { samples: new Uint8Array(10), sampleRate: 8000 }],
    ['a zero rate', { samples: new Int16Array(10), sampleRate: 0 }],
    ['a fractional rate', { samples: new Int16Array(10), sampleRate: 8000.5 }],
    ['a NaN rate', { samples: new Int16Array(10), sampleRate: Number.NaN }],
  ])('rejects %s with CONTEXT_BAD_AUDIO', (_what, audio) => {
    expect(() => checkAudio(audio as never, 'x')).toThrow(expect.objectContaining({ code: 'CONTEXT_BAD_AUDIO' }));
  });

  it('wraps a rate the resampler refuses as CONTEXT_BAD_AUDIO with the cause', () => {
    let err: unknown;
    try {
      toSnippet({ samples: new Int16Array(10), sampleRate: 7 }, 24_000, 100, 'end');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContextBufferError);
    expect((err as ContextBufferError).code).toBe('CONTEXT_BAD_AUDIO');
    expect((err as ContextBufferError).cause).toBeDefined();
  });
});

describe('joinCapped', () => {
  const a = Int16Array.from([1, 2, 3]);
  const b = Int16Array.from([4, 5]);
  const c = Int16Array.from([6, 7, 8, 9]);

  it('keeps the last cap samples of the concatenation', () => {
    expectSameSamples(joinCapped([a, b, c], 6, 'end') as Int16Array, [4, 5, 6, 7, 8, 9]);
    expectSameSamples(joinCapped([a, b, c], 5, 'end') as Int16Array, [5, 6, 7, 8, 9]);
    expectSameSamples(joinCapped([a, b, c], 100, 'end') as Int16Array, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps the first cap samples with start', () => {
    expectSameSamples(joinCapped([a, b, c], 4, 'start') as Int16Array, [1, 2, 3, 4]);
  });

  it('returns undefined for nothing', () => {
    expect(joinCapped([], 10, 'end')).toBeUndefined();
    expect(joinCapped([a], 0, 'end')).toBeUndefined();
  });
});
