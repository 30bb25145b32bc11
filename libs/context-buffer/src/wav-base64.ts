import { writeWav } from '@voice/audio-codec';

export { WAV_HEADER_BYTES } from '@voice/audio-codec';

/** base64 of a canonical PCM16 mono WAV (audio-codec's `writeWav` writes the 44-byte header directly). */
export function wavBase64(samples: Int16Array, sampleRate: number): string {
  const wav = writeWav(samples, sampleRate);
  return Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength).toString('base64');
}
