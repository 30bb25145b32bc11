import { WaveFile } from 'wavefile';
import { AudioCodecError } from './errors';
import { encodeMulaw, decodeMulaw } from './mulaw';
import { noise } from './spec-helpers/signals';
import { readWav, writeMulawWav, writeWav } from './wav';

/** A canonical 44-byte-header WAV built by hand (RIFF layout per the Microsoft WAVE spec), independent of wavefile. */
function handWav(format: number, channels: number, rate: number, bits: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(44 + data.length);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string): void => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + data.length, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, format, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, (rate * channels * bits) / 8, true);
  v.setUint16(32, (channels * bits) / 8, true);
  v.setUint16(34, bits, true);
  ascii(36, 'data');
  v.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}

const le16 = (samples: number[]): Uint8Array => {
  const bytes = new Uint8Array(samples.length * 2);
  const v = new DataView(bytes.buffer);
  samples.forEach((s, i) => v.setInt16(2 * i, s, true));
  return bytes;
};

describe('readWav', () => {
  it('reads PCM16 mono', () => {
    const wav = readWav(handWav(1, 1, 16000, 16, le16([0, 1, -1, 32767, -32768])));
    expect(wav).toEqual({ sampleRate: 16000, channels: 1, samples: Int16Array.from([0, 1, -1, 32767, -32768]) });
  });

  it('downmixes stereo PCM16 to mono by averaging (rounding half up)', () => {
    const wav = readWav(handWav(1, 2, 8000, 16, le16([100, 300, -5, -6, 32767, 32767, 1, 2])));
    expect(wav.channels).toBe(2);
    expect(Array.from(wav.samples)).toEqual([200, -5, 32767, 2]);
  });

  it('reads μ-law (format 7) through the G.711 tables', () => {
    const codes = Uint8Array.from([0x00, 0x7f, 0x80, 0xff, 0x35]);
    const wav = readWav(handWav(7, 1, 8000, 8, codes));
    expect(wav.sampleRate).toBe(8000);
    expect(wav.samples).toEqual(decodeMulaw(codes));
  });

  it('rejects garbage, unsupported encodings and bad rates with AUDIO_BAD_WAV', () => {
    const code = (bytes: Uint8Array): string | undefined => {
      try {
        readWav(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(AudioCodecError);
        return (e as AudioCodecError).code;
      }
      return undefined;
    };
    expect(code(Uint8Array.from([1, 2, 3, 4]))).toBe('AUDIO_BAD_WAV');
    expect(code(handWav(1, 1, 8000, 24, new Uint8Array(6)))).toBe('AUDIO_BAD_WAV');
    expect(code(handWav(3, 1, 8000, 32, new Uint8Array(8)))).toBe('AUDIO_BAD_WAV');
    expect(code(handWav(1, 1, 50, 16, new Uint8Array(8)))).toBe('AUDIO_BAD_WAV');
  });
});

describe('writeWav / writeMulawWav', () => {
  it('writes a PCM16 mono RIFF header and little-endian data', () => {
    const samples = Int16Array.from([1, -2, 300]);
    const bytes = writeWav(samples, 24000);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const text = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
    expect(text(0)).toBe('RIFF');
    expect(text(8)).toBe('WAVE');
    expect(v.getUint16(20, true)).toBe(1); // PCM
    expect(v.getUint16(22, true)).toBe(1); // mono
    expect(v.getUint32(24, true)).toBe(24000);
    expect(v.getUint16(34, true)).toBe(16);
    expect(text(36)).toBe('data');
    expect(v.getUint32(40, true)).toBe(6);
    expect(v.getInt16(46, true)).toBe(-2);
  });

  it('is byte-identical to wavefile fromScratch (the reference writer it replaces)', () => {
    for (const [n, rate] of [[0, 8000], [1, 16000], [4801, 24000], [22050, 22050]] as const) {
      const samples = noise(n, n + 3);
      const ref = new WaveFile();
      ref.fromScratch(1, rate, '16', samples);
      expect(Buffer.from(writeWav(samples, rate)).equals(Buffer.from(ref.toBuffer()))).toBe(true);
    }
  });

  it('round-trips PCM16 and μ-law through readWav', () => {
    const samples = noise(1000, 11);
    expect(readWav(writeWav(samples, 16000))).toEqual({ sampleRate: 16000, channels: 1, samples });
    const mulaw = encodeMulaw(samples);
    const back = readWav(writeMulawWav(mulaw));
    expect(back.sampleRate).toBe(8000);
    expect(back.samples).toEqual(decodeMulaw(mulaw));
  });

  it('rejects a bad sample rate', () => {
    expect(() => writeWav(new Int16Array(1), 0)).toThrow(expect.objectContaining({ code: 'AUDIO_BAD_RATE' }) as Error);
  });
});
