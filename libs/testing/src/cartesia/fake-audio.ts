import { encodeMulaw } from '@voice/audio-codec';

/** Sample encodings the TTS fakes can render. */
export type FakeAudioEncoding = 'mulaw' | 's16le' | 'f32le';

const BYTES_PER_SAMPLE: Record<FakeAudioEncoding, number> = { mulaw: 1, s16le: 2, f32le: 4 };

/**
 * How long the fake "speaks" a transcript: `msPerChar` per non-space character (real voices run at about
 * 12-16 characters per second, so the default of the fakes, 50 ms, is a little fast). Whitespace-only text is silent.
 */
export function speechDurationMs(text: string, msPerChar: number): number {
  return text.replace(/\s+/g, '').length * msPerChar;
}

/**
 * Real audio for a fake utterance: a 440 Hz tone at -10 dBFS with 5 ms ramps, so a test that decodes it finds
 * a signal (not zeros) and chunk seams stay click-free. μ-law goes through the G.711 encoder of @voice/audio-codec.
 */
export function fakeSpeechAudio(durationMs: number, sampleRate: number, encoding: FakeAudioEncoding, hz = 440): Uint8Array {
  const n = Math.round((durationMs * sampleRate) / 1000);
  const ramp = Math.max(1, Math.round(sampleRate / 200));
  const pcm = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const gain = Math.min(1, i / ramp, (n - 1 - i) / ramp);
    pcm[i] = 0.3 * gain * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  }
  if (encoding === 'f32le') return new Uint8Array(pcm.buffer);
  const s16 = new Int16Array(n);
  for (let i = 0; i < n; i++) s16[i] = Math.round((pcm[i] ?? 0) * 32767);
  if (encoding === 's16le') return new Uint8Array(s16.buffer);
  return encodeMulaw(s16);
}

/** Cuts `audio` into pieces of `chunkMs` of audio each (whole samples; the last piece takes the rest). */
export function cutAudio(audio: Uint8Array, sampleRate: number, encoding: FakeAudioEncoding, chunkMs: number): Uint8Array[] {
  const bytes = BYTES_PER_SAMPLE[encoding];
  const step = Math.max(bytes, Math.round((chunkMs * sampleRate) / 1000) * bytes);
  const out: Uint8Array[] = [];
  for (let i = 0; i < audio.length; i += step) out.push(audio.subarray(i, Math.min(audio.length, i + step)));
  return out;
}
