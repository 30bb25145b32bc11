import { readWav } from '@voice/audio-codec';

/** A recognisable PCM16 signal: sample i is a ramp offset by `seed`, so a kept slice can be located exactly. */
export function ramp(samples: number, seed = 0): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = ((i + seed * 7919) % 60000) - 30000;
  return out;
}

/** A speech-band mix (no content above 3.4 kHz), sensible to resample from 8 kHz upwards. */
export function voiceLike(samples: number, rate: number, seed = 1): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = i / rate;
    out[i] = Math.round(
      6000 * Math.sin(2 * Math.PI * (180 + 20 * seed) * t) + 4000 * Math.sin(2 * Math.PI * 1250 * t + seed) + 2500 * Math.sin(2 * Math.PI * 3100 * t),
    );
  }
  return out;
}

export interface DecodedContextTurn {
  speaker_id: number;
  text: string;
  audio?: string;
}

export interface DecodedBody {
  speaker_id: number;
  prompt_text: string;
  context: DecodedContextTurn[];
  temperature?: number;
  topk?: number;
  max_audio_length_ms?: number;
  seed?: number;
}

/** The WAV inside a context turn, with its header fields read straight from the RIFF bytes (not via a library). */
export function decodeAudio(b64: string): { samples: Int16Array; rate: number; channels: number; bits: number; format: number; bytes: Buffer } {
  const bytes = Buffer.from(b64, 'base64');
  expect(bytes.toString('base64')).toBe(b64); // strict: standard alphabet, padded
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
  expect(bytes.toString('latin1', 8, 12)).toBe('WAVE');
  const wav = readWav(bytes);
  return {
    samples: wav.samples,
    rate: view.getUint32(24, true),
    channels: view.getUint16(22, true),
    bits: view.getUint16(34, true),
    format: view.getUint16(20, true),
    bytes,
  };
}

/**
 * Asserts two sample arrays are identical. Compares bytes, because jest's deep equality walks a 144k-element
 * array slowly; on a mismatch it reports the lengths and the first differing index.
 */
export function expectSameSamples(got: ArrayLike<number> | Int16Array, want: ArrayLike<number> | Int16Array): void {
  const a = Int16Array.from(got);
  const b = Int16Array.from(want);
  let first = -1;
  if (a.length === b.length && Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer)) === 0) first = -1;
  else for (first = 0; first < Math.min(a.length, b.length) && a[first] === b[first]; first++);
  expect({ length: a.length, firstDifference: first }).toEqual({ length: b.length, firstDifference: -1 });
}
