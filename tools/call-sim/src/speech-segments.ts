/** A stretch of caller speech, ms from the start of the caller audio. */
export interface SpeechSegment {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Energy segmentation of the caller's own audio (8 kHz PCM16), good enough to know when the caller stopped
 * talking: 20 ms frames above a threshold relative to the loudest frame, closed after 300 ms of quiet.
 */
export function speechSegments(pcm: Int16Array, sampleRate = 8000, o: { hangoverMs?: number; minSpeechMs?: number } = {}): SpeechSegment[] {
  const frame = Math.round(sampleRate / 50);
  const rms: number[] = [];
  for (let i = 0; i + frame <= pcm.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += (pcm[j] ?? 0) ** 2;
    rms.push(Math.sqrt(sum / frame));
  }
  const threshold = Math.max(200, 0.1 * Math.max(0, ...rms));
  const hangover = Math.ceil((o.hangoverMs ?? 300) / 20);
  const minFrames = Math.ceil((o.minSpeechMs ?? 100) / 20);
  const out: SpeechSegment[] = [];
  let start = -1;
  let lastLoud = -1;
  rms.forEach((v, i) => {
    if (v >= threshold) {
      if (start < 0) start = i;
      lastLoud = i;
    } else if (start >= 0 && i - lastLoud > hangover) {
      if (lastLoud - start + 1 >= minFrames) out.push({ startMs: start * 20, endMs: (lastLoud + 1) * 20 });
      start = -1;
    }
  });
  if (start >= 0 && lastLoud - start + 1 >= minFrames) out.push({ startMs: start * 20, endMs: (lastLoud + 1) * 20 });
  return out;
}
