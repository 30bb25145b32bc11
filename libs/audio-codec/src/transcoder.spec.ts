import { MULAW_8K, pcm16Format, type AudioFormat } from './audio-format';
import { AudioCodecError } from './errors';
import { decodeMulaw, encodeMulaw } from './mulaw';
import { concatBytes, int16ToBytes } from './pcm';
import { resample } from './resampler';
import { noise } from './spec-helpers/signals';
import { createTranscoder, type Transcoder } from './transcoder';

/** Feeds bytes in chunks of the given sizes (cycled), each copied to an odd offset of a fresh Buffer. */
function chunked(t: Transcoder, bytes: Uint8Array, sizes: readonly number[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    const padded = Buffer.alloc(size + 1);
    padded.set(bytes.subarray(at, at + size), 1);
    parts.push(t.process(padded.subarray(1, 1 + Math.min(size, bytes.length - at))));
    at += size;
  }
  parts.push(t.flush());
  return concatBytes(parts);
}

const whole = (t: Transcoder, bytes: Uint8Array): Uint8Array => concatBytes([t.process(bytes), t.flush()]);
const pcmBytes = (pcm: Int16Array): Uint8Array => Uint8Array.from(int16ToBytes(pcm));

describe('createTranscoder', () => {
  it('passes bytes straight through when the formats are equal', () => {
    const t = createTranscoder(MULAW_8K, { encoding: 'mulaw', sampleRate: 8000, channels: 1 });
    const bytes = Uint8Array.from([1, 2, 3]);
    expect(t.process(bytes)).toBe(bytes);
    expect(t.flush().length).toBe(0);
  });

  it('decodes μ-law to PCM16 at the same rate', () => {
    const mulaw = encodeMulaw(noise(400, 1));
    const out = whole(createTranscoder(MULAW_8K, pcm16Format(8000)), mulaw);
    expect(out).toEqual(pcmBytes(decodeMulaw(mulaw)));
  });

  it('encodes PCM16 to μ-law at the same rate, holding a split sample until its second byte arrives', () => {
    const pcm = Int16Array.from([1000, -1000, 32000]);
    const bytes = pcmBytes(pcm);
    const t = createTranscoder(pcm16Format(8000), MULAW_8K);
    expect(Array.from(t.process(bytes.subarray(0, 3)))).toEqual(Array.from(encodeMulaw(pcm.subarray(0, 1))));
    expect(t.process(bytes.subarray(3, 3)).length).toBe(0);
    expect(Array.from(t.process(bytes.subarray(3, 4)))).toEqual(Array.from(encodeMulaw(pcm.subarray(1, 2))));
    expect(Array.from(t.process(bytes.subarray(4)))).toEqual(Array.from(encodeMulaw(pcm.subarray(2))));
  });

  const cases: [string, AudioFormat, AudioFormat, Uint8Array][] = [
    ['PCM16 24k → μ-law 8k (OpenAI TTS → Twilio)', pcm16Format(24000), MULAW_8K, pcmBytes(noise(4801, 2))],
    ['PCM16 22.05k → μ-law 8k', pcm16Format(22050), MULAW_8K, pcmBytes(noise(3000, 3))],
    ['μ-law 8k → PCM16 16k (Twilio → a 16 kHz STT)', MULAW_8K, pcm16Format(16000), encodeMulaw(noise(1603, 4))],
    ['PCM16 16k → PCM16 8k', pcm16Format(16000), pcm16Format(8000), pcmBytes(noise(2000, 5))],
    ['μ-law 8k → μ-law 16k', MULAW_8K, { encoding: 'mulaw', sampleRate: 16000, channels: 1 }, encodeMulaw(noise(999, 6))],
    ['PCM16 8k → μ-law 8k', pcm16Format(8000), MULAW_8K, pcmBytes(noise(999, 7))],
  ];

  it.each(cases)('%s: chunked (odd byte splits, odd offsets) equals whole', (_name, from, to, bytes) => {
    const expected = whole(createTranscoder(from, to), bytes);
    const t = createTranscoder(from, to);
    for (const sizes of [[1], [3, 7, 1, 961], [from.sampleRate / 25 + 1]]) expect(chunked(t, bytes, sizes)).toEqual(expected);
  });

  it('PCM16 24k → μ-law 8k equals resample then encode', () => {
    const pcm = noise(4800, 8);
    const out = whole(createTranscoder(pcm16Format(24000), MULAW_8K), pcmBytes(pcm));
    expect(out).toEqual(encodeMulaw(resample(pcm, 24000, 8000)));
    expect(out.length).toBe(1600);
  });

  it('μ-law 8k → PCM16 16k equals decode then resample', () => {
    const mulaw = encodeMulaw(noise(800, 9));
    const out = whole(createTranscoder(MULAW_8K, pcm16Format(16000)), mulaw);
    expect(out).toEqual(pcmBytes(resample(decodeMulaw(mulaw), 8000, 16000)));
  });

  it('returns arrays the caller may keep: later calls do not overwrite them', () => {
    const t = createTranscoder(MULAW_8K, pcm16Format(8000));
    const first = t.process(Uint8Array.from([0x00, 0x80]));
    const copy = Array.from(first);
    t.process(Uint8Array.from([0xff, 0xff]));
    expect(Array.from(first)).toEqual(copy);
  });

  it('reset drops a dangling byte and the resampler history', () => {
    const bytes = pcmBytes(noise(960, 10));
    const t = createTranscoder(pcm16Format(24000), MULAW_8K);
    t.process(Uint8Array.from([1, 2, 3]));
    t.reset();
    expect(whole(t, bytes)).toEqual(whole(createTranscoder(pcm16Format(24000), MULAW_8K), bytes));
  });

  it('rejects unknown encodings, stereo and bad rates with coded errors', () => {
    const bad = { encoding: 'opus', sampleRate: 48000, channels: 1 } as unknown as AudioFormat;
    expect(() => createTranscoder(bad, MULAW_8K)).toThrow(expect.objectContaining({ code: 'AUDIO_BAD_FORMAT' }) as Error);
    const stereo = { encoding: 'pcm16', sampleRate: 8000, channels: 2 } as unknown as AudioFormat;
    expect(() => createTranscoder(stereo, MULAW_8K)).toThrow(AudioCodecError);
    expect(() => createTranscoder(pcm16Format(-1), MULAW_8K)).toThrow(expect.objectContaining({ code: 'AUDIO_BAD_RATE' }) as Error);
  });
});
