/**
 * Audio formats are explicit everywhere (docs/architecture.md): a provider declares what it yields and the call
 * session transcodes once. PCM16 is signed 16-bit little-endian, mono.
 */
export type AudioEncoding = 'mulaw' | 'pcm16';

export interface AudioFormat {
  readonly encoding: AudioEncoding;
  readonly sampleRate: number;
  readonly channels: 1;
}

/** One piece of an audio stream. `data` holds the raw bytes in `format` (no container header). */
export interface AudioChunk {
  readonly data: Uint8Array;
  readonly format: AudioFormat;
}

/** What Twilio Media Streams carries in both directions: G.711 μ-law, 8 kHz, mono. */
export const MULAW_8K: AudioFormat = Object.freeze({ encoding: 'mulaw', sampleRate: 8000, channels: 1 });

export const pcm16Format = (sampleRate: number): AudioFormat => ({ encoding: 'pcm16', sampleRate, channels: 1 });

/** Bytes per second of a format (μ-law: 1 byte per sample, PCM16: 2). */
export function bytesPerSecond(format: AudioFormat): number {
  return format.sampleRate * format.channels * (format.encoding === 'mulaw' ? 1 : 2);
}

export function sameFormat(a: AudioFormat, b: AudioFormat): boolean {
  return a.encoding === b.encoding && a.sampleRate === b.sampleRate && a.channels === b.channels;
}
