import { readWav, writeWav } from '@voice/audio-codec';
import { ramp } from './audio.spec-helper';
import { WAV_HEADER_BYTES, wavBase64 } from './wav-base64';

describe('wavBase64', () => {
  it.each([
    [0, 24_000],
    [1, 24_000],
    [4801, 24_000],
    [1000, 16_000],
  ])('is byte-identical to writeWav for %i samples at %i Hz', (n, rate) => {
    const s = ramp(n, 5);
    const bytes = Buffer.from(wavBase64(s, rate), 'base64');
    expect(bytes.equals(Buffer.from(writeWav(s, rate)))).toBe(true);
    expect(bytes.length).toBe(WAV_HEADER_BYTES + 2 * n);
  });

  it('encodes only the samples a view covers, on an odd element offset', () => {
    const backing = ramp(1001, 6);
    const view = backing.subarray(1, 501);
    const wav = readWav(Buffer.from(wavBase64(view, 24_000), 'base64'));
    expect(wav.sampleRate).toBe(24_000);
    expect(wav.channels).toBe(1);
    expect(Buffer.from(wav.samples.buffer, wav.samples.byteOffset, wav.samples.byteLength).equals(Buffer.from(view.buffer, view.byteOffset, view.byteLength))).toBe(true);
  });
});
