/**
 * base64 of a canonical 44-byte-header PCM16 mono WAV. Byte-identical to `writeWav` from @voice/audio-codec (a spec
 * checks it), but without wavefile's per-sample packing: a 6 s snippet takes ~0.2 ms here against 10–25 ms through
 * writeWav (bench/context-buffer.bench.ts), and this runs on the way to the first audio of a reply.
 *
 * Layout: RIFF/WAVE with a 16-byte `fmt ` chunk (WAVE_FORMAT_PCM = 1) then `data`; all fields little-endian
 * (Microsoft "Multimedia Programming Interface and Data Specifications 1.0", 1991, RIFF WAVE).
 */
import { int16ToBytes } from '@voice/audio-codec';

export const WAV_HEADER_BYTES = 44;

export function wavBase64(samples: Int16Array, sampleRate: number): string {
  const dataBytes = samples.length * 2;
  const buf = Buffer.allocUnsafe(WAV_HEADER_BYTES + dataBytes);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(dataBytes, 40);
  buf.set(int16ToBytes(samples), WAV_HEADER_BYTES);
  return buf.toString('base64');
}
