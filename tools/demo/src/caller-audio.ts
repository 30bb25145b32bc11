/**
 * Synthetic caller speech for the demo (no microphone, no TTS needed): voiced segments made of a 140 Hz pulse-like
 * tone with formant-ish harmonics and a syllable-rate envelope, separated by silence. 8 kHz PCM16.
 */
export interface Segment {
  kind: 'voice' | 'silence';
  ms: number;
}

export const DEMO_SCRIPT: readonly Segment[] = [
  { kind: 'silence', ms: 500 },
  { kind: 'voice', ms: 1200 }, // turn 1
  { kind: 'silence', ms: 2200 }, // the agent answers in full
  { kind: 'voice', ms: 1000 }, // turn 2
  { kind: 'silence', ms: 800 }, // the agent starts answering ...
  { kind: 'voice', ms: 700 }, // ... and the caller talks over it: barge-in
  { kind: 'silence', ms: 2000 }, // the agent answers the interruption
];

export function synthesizeCaller(script: readonly Segment[], sampleRate = 8000): Int16Array {
  const total = script.reduce((n, s) => n + Math.round((s.ms * sampleRate) / 1000), 0);
  const out = new Int16Array(total);
  let at = 0;
  for (const seg of script) {
    const n = Math.round((seg.ms * sampleRate) / 1000);
    if (seg.kind === 'voice') {
      for (let i = 0; i < n; i++) {
        const t = i / sampleRate;
        const syllable = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t); // ~4 syllables per second
        const fade = Math.min(1, i / 160, (n - i) / 160);
        let v = 0;
        for (const [h, a] of [[1, 1], [2, 0.6], [5, 0.35], [9, 0.2], [15, 0.1]] as const) v += a * Math.sin(2 * Math.PI * 140 * h * t);
        out[at + i] = Math.round(6000 * syllable * fade * v);
      }
    }
    at += n;
  }
  return out;
}
