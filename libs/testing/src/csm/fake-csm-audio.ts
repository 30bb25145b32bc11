import { writeWav } from '@voice/audio-codec';

/**
 * CSM's Mimi codec: 24 kHz mono, one frame per 80 ms (services/csm-gpu README;
 * https://huggingface.co/docs/transformers/model_doc/mimi).
 */
export const CSM_SAMPLE_RATE = 24_000;
export const CSM_FRAME_SAMPLES = 1920;

/**
 * The fake's speech: a tone at 0.3 full scale, computed from the absolute sample index so that any slice of a
 * stream equals the same slice of the whole (a test can rebuild what it should have received).
 */
export function fakeCsmPcm(samples: number, toneHz = 440, from = 0): Int16Array {
  const out = new Int16Array(samples);
  const w = (2 * Math.PI * toneHz) / CSM_SAMPLE_RATE;
  for (let i = 0; i < samples; i++) out[i] = Math.round(0.3 * 32767 * Math.sin(w * (from + i)));
  return out;
}

/**
 * Samples the fake generates for a request: `durationMs` (or `msPerChar` × characters of the prompt), capped by
 * `max_audio_length_ms`, rounded up to whole 80 ms frames (at least one).
 */
export function fakeCsmSamples(promptText: string, o: { msPerChar: number; durationMs?: number; maxAudioLengthMs?: number | null }): number {
  let ms = o.durationMs ?? promptText.length * o.msPerChar;
  if (typeof o.maxAudioLengthMs === 'number') ms = Math.min(ms, o.maxAudioLengthMs);
  return Math.max(1, Math.ceil(ms / 80)) * CSM_FRAME_SAMPLES;
}

/** A 24 kHz mono PCM16 WAV with the canonical 44-byte header, as Python's `wave` module writes it. */
export function csmWav(pcm: Int16Array, sampleRate = CSM_SAMPLE_RATE): Buffer {
  const wav = writeWav(pcm, sampleRate);
  return Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
}

/** Reads the format and length of a PCM WAV (what Python's `wave` accepts); undefined when it cannot. */
export function readWavInfo(bytes: Buffer): { sampleRate: number; channels: number; bitsPerSample: number; seconds: number } | undefined {
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let fmt: { sampleRate: number; channels: number; bitsPerSample: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ' && body + 16 <= bytes.length) {
      if (bytes.readUInt16LE(body) !== 1) return undefined; // `wave` reads PCM only
      fmt = { channels: bytes.readUInt16LE(body + 2), sampleRate: bytes.readUInt32LE(body + 4), bitsPerSample: bytes.readUInt16LE(body + 14) };
    } else if (id === 'data' && fmt) {
      const { channels, sampleRate, bitsPerSample } = fmt;
      if (channels < 1 || sampleRate < 1 || ![8, 16, 24, 32].includes(bitsPerSample)) return undefined;
      const length = Math.min(size, bytes.length - body);
      return { ...fmt, seconds: length / (sampleRate * channels * (bitsPerSample / 8)) };
    }
    at = body + size + (size % 2);
  }
  return undefined;
}
