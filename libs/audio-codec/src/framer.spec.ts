import { AudioCodecError } from './errors';
import { FRAME_BYTES, FRAME_MS, MULAW_SILENCE, MulawFramer } from './framer';

const ramp = (n: number, start = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

describe('MulawFramer', () => {
  it('exports the Twilio frame constants', () => {
    expect(FRAME_BYTES).toBe(160);
    expect(FRAME_MS).toBe(20);
    expect(MULAW_SILENCE).toBe(0xff);
    expect(FRAME_BYTES).toBe((8000 * FRAME_MS) / 1000);
  });

  it('cuts any chunking into the same frames as one whole push', () => {
    const stream = ramp(1000);
    const whole = new MulawFramer();
    const expected = whole.push(stream);
    expect(expected).toHaveLength(6);
    expect(whole.pending).toBe(40);

    for (const size of [1, 7, 159, 160, 161, 333]) {
      const framer = new MulawFramer();
      const frames: Uint8Array[] = [];
      for (let at = 0; at < stream.length; at += size) frames.push(...framer.push(stream.subarray(at, at + size)));
      expect(frames.map((f) => Array.from(f))).toEqual(expected.map((f) => Array.from(f)));
      expect(framer.pending).toBe(40);
    }
    expect(Array.from(expected[1])).toEqual(Array.from(stream.subarray(160, 320)));
  });

  it('returns frames that are copies, safe from later pushes and from the caller reusing its buffer', () => {
    const framer = new MulawFramer(4);
    const chunk = ramp(6);
    const [first] = framer.push(chunk);
    chunk.fill(0);
    const [second] = framer.push(Uint8Array.from([9, 9]));
    expect(Array.from(first)).toEqual([0, 1, 2, 3]);
    expect(Array.from(second)).toEqual([4, 5, 9, 9]);
    expect(first.buffer).not.toBe(chunk.buffer);
  });

  it('pads the remainder with μ-law silence on flush, and returns undefined when empty', () => {
    const framer = new MulawFramer();
    expect(framer.flush()).toBeUndefined();
    framer.push(ramp(10, 1));
    const last = framer.flush() ?? new Uint8Array(0);
    expect(last).toHaveLength(160);
    expect(Array.from(last.subarray(0, 10))).toEqual(Array.from(ramp(10, 1)));
    expect(last.subarray(10).every((b) => b === MULAW_SILENCE)).toBe(true);
    expect(framer.pending).toBe(0);
    expect(framer.flush()).toBeUndefined();
  });

  it('reset drops the remainder', () => {
    const framer = new MulawFramer(8);
    framer.push(ramp(5));
    framer.reset();
    expect(framer.pending).toBe(0);
    expect(Array.from(framer.push(ramp(8, 50))[0])).toEqual(Array.from(ramp(8, 50)));
  });

  it('rejects a non-positive frame size', () => {
    expect(() => new MulawFramer(0)).toThrow(AudioCodecError);
    expect(() => new MulawFramer(1.5)).toThrow(expect.objectContaining({ code: 'AUDIO_BAD_FRAME_SIZE' }) as Error);
  });
});
