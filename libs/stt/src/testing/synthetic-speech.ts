import { encodeMulaw } from '@voice/audio-codec';

/**
 * A voiced, vowel-like test signal: a glottal pulse train at `f0` through three formant resonators
 * (/a/-like: 700, 1220, 2600 Hz), normalised to `peak`. The WebRTC VAD calls it speech at 8 kHz in every mode,
 * so VAD-driven code can be tested without recorded speech.
 */
export function syntheticVowel(ms: number, o: { sampleRate?: number; f0?: number; peak?: number } = {}): Int16Array {
  const sr = o.sampleRate ?? 8000;
  const f0 = o.f0 ?? 120;
  const n = Math.round((sr * ms) / 1000);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.floor((i * f0) / sr) !== Math.floor(((i - 1) * f0) / sr) ? 1 : 0;
  for (const [f, bw] of [
    [700, 80],
    [1220, 90],
    [2600, 120],
  ]) {
    // Two-pole resonator: y[n] = x[n] + 2r·cos(θ)·y[n-1] − r²·y[n-2].
    const r = Math.exp((-Math.PI * bw) / sr);
    const a1 = 2 * r * Math.cos((2 * Math.PI * f) / sr);
    const a2 = -r * r;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = y[i] + a1 * s1 + a2 * s2;
      s2 = s1;
      s1 = v;
      y[i] = v;
    }
  }
  let max = 1e-9;
  for (const v of y) max = Math.max(max, Math.abs(v));
  const peak = o.peak ?? 8000;
  return Int16Array.from(y, (v) => Math.round((v / max) * peak));
}

/** Low-level white noise (deterministic), the "room tone" between words. */
export function quietNoise(ms: number, o: { sampleRate?: number; amplitude?: number; seed?: number } = {}): Int16Array {
  const n = Math.round(((o.sampleRate ?? 8000) * ms) / 1000);
  const amp = o.amplitude ?? 30;
  let s = o.seed ?? 7;
  return Int16Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return Math.round((s / 0x7fffffff - 0.5) * 2 * amp);
  });
}

/** Concatenates PCM pieces. */
export function concatPcm(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** μ-law 8 kHz caller audio: `silenceMs` of room tone, then a `speechMs` vowel, then `tailMs` of room tone. */
export function utteranceMulaw(silenceMs: number, speechMs: number, tailMs: number): Uint8Array {
  return encodeMulaw(concatPcm(quietNoise(silenceMs), syntheticVowel(speechMs), quietNoise(tailMs, { seed: 11 })));
}
