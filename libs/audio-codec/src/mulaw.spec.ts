import { mulaw as alawmulaw } from 'alawmulaw';
import { AudioCodecError } from './errors';
import { decodeMulaw, encodeMulaw } from './mulaw';

/*
 * Independent references, transcribed from the ITU-T G.191 STL (stl/g711/g711.c, ulaw_compress / ulaw_expand)
 * with C `short` semantics, not from this lib's tables. The STL loops over bits to find the segment; we do the same.
 */
const toShort = (v: number): number => (v << 16) >> 16;

function stlUlawCompress(lin: number): number {
  let absno = lin < 0 ? (~lin >> 2) + 33 : (lin >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segno = 1;
  while (i !== 0) {
    segno++;
    i >>= 1;
  }
  const highNibble = 0x0008 - segno;
  let lowNibble = (absno >> segno) & 0x000f;
  lowNibble = 0x000f - lowNibble;
  let log = (highNibble << 4) | lowNibble;
  if (lin >= 0) log = log | 0x0080;
  return log;
}

function stlUlawExpand(log: number): number {
  const sign = log < 0x0080 ? -1 : 1;
  let mantissa = toShort(~log);
  const exponent = (mantissa >> 4) & 0x0007;
  const segment = exponent + 1;
  mantissa = mantissa & 0x000f;
  const step = 4 << segment;
  return toShort(sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33));
}

const allSamples = (): Int16Array => {
  const pcm = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
  return pcm;
};
const allCodes = (): Uint8Array => Uint8Array.from({ length: 256 }, (_, i) => i);

describe('encodeMulaw', () => {
  it('matches the G.191 STL ulaw_compress for all 65,536 inputs', () => {
    const pcm = allSamples();
    const got = encodeMulaw(pcm);
    let mismatches = 0;
    for (let i = 0; i < pcm.length; i++) if (got[i] !== stlUlawCompress(pcm[i])) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('encodes the documented corner values', () => {
    const got = encodeMulaw(Int16Array.from([0, -1, 32767, -32768, 1, -2]));
    // 0 → 0xFF, -1 → 0x7F (one's complement in the STL), full scale → 0x80 / 0x00.
    expect(Array.from(got)).toEqual([0xff, 0x7f, 0x80, 0x00, 0xff, 0x7f]);
  });

  it('differs from alawmulaw on exactly 127 inputs (its two-complement rounding vs the ITU-T G.191 STL)', () => {
    const pcm = allSamples();
    const ours = encodeMulaw(pcm);
    const theirs = alawmulaw.encode(pcm);
    let differences = 0;
    for (let i = 0; i < pcm.length; i++) if (ours[i] !== theirs[i]) differences++;
    expect(differences).toBe(127);
  });

  it('writes into out without allocating a new buffer, and returns a view when out is longer', () => {
    const pcm = Int16Array.from([100, -100, 2000]);
    const exact = new Uint8Array(3);
    expect(encodeMulaw(pcm, exact)).toBe(exact);
    const longer = new Uint8Array(8).fill(7);
    const view = encodeMulaw(pcm, longer);
    expect(view.buffer).toBe(longer.buffer);
    expect(view.length).toBe(3);
    expect(Array.from(view)).toEqual(Array.from(exact));
    expect(longer[3]).toBe(7);
  });

  it('throws a RangeError coded AUDIO_BUFFER_TOO_SMALL when out is too small', () => {
    const call = (): Uint8Array => encodeMulaw(new Int16Array(4), new Uint8Array(3));
    expect(call).toThrow(RangeError);
    expect(call).toThrow(expect.objectContaining({ code: 'AUDIO_BUFFER_TOO_SMALL' }) as AudioCodecError);
  });

  it('reads samples from a view that starts mid-buffer', () => {
    const backing = Int16Array.from([5000, -5000, 123, -123]);
    expect(Array.from(encodeMulaw(backing.subarray(2)))).toEqual([stlUlawCompress(123), stlUlawCompress(-123)]);
  });
});

describe('decodeMulaw', () => {
  it('matches the G.191 STL ulaw_expand for all 256 codes, and alawmulaw too', () => {
    const codes = allCodes();
    const got = decodeMulaw(codes);
    const theirs = alawmulaw.decode(codes);
    for (let c = 0; c < 256; c++) {
      expect(got[c]).toBe(stlUlawExpand(c));
      expect(got[c]).toBe(theirs[c]);
    }
    expect(got[0xff]).toBe(0);
    expect(got[0x00]).toBe(-32124);
    expect(got[0x80]).toBe(32124);
  });

  it('round-trips every code through decode then encode', () => {
    const codes = allCodes();
    const back = encodeMulaw(decodeMulaw(codes));
    // 0x7F decodes to 0, which re-encodes as positive zero 0xFF; every other code is its own fixed point.
    for (let c = 0; c < 256; c++) expect(back[c]).toBe(c === 0x7f ? 0xff : c);
  });

  it('honours out like encodeMulaw', () => {
    const out = new Int16Array(10);
    const view = decodeMulaw(Uint8Array.from([0x00, 0xff]), out);
    expect(view.buffer).toBe(out.buffer);
    expect(Array.from(view)).toEqual([-32124, 0]);
    expect(() => decodeMulaw(new Uint8Array(11), out)).toThrow(AudioCodecError);
  });
});
