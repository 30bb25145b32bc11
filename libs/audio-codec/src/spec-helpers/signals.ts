/**
 * Test-signal generators and measurements shared by the specs and the benchmark. They compute expectations from
 * first principles (ideal sinusoids, least-squares fits), never from the resampler's own tables.
 * Not part of the published library (excluded in tsconfig.lib.json).
 */

/** Full-scale sine RMS: 0 dBFS per AES17. */
const FULL_SCALE_RMS = 32767 / Math.SQRT2;

/** Deterministic PRNG (mulberry32) so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function tone(freq: number, rate: number, length: number, amplitude: number): Int16Array {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

export function noise(length: number, seed: number, amplitude = 20000): Int16Array {
  const rnd = prng(seed);
  return Int16Array.from({ length }, () => Math.round((2 * rnd() - 1) * amplitude));
}

/** Least-squares fit of a·sin + b·cos at `freq` over y[from..to); returns the amplitude. */
export function fitAmplitude(y: Int16Array, freq: number, rate: number, from: number, to: number): number {
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let ys = 0;
  let yc = 0;
  for (let i = from; i < to; i++) {
    const w = (2 * Math.PI * freq * i) / rate;
    const s = Math.sin(w);
    const c = Math.cos(w);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  return Math.hypot(a, b);
}

/** SNR in dB of y[from..to) against amplitude·sin(2π·freq·k/rate): zero phase, the resampler's time base. */
export function snrVsIdealDb(y: Int16Array, freq: number, rate: number, amplitude: number, from: number, to: number): number {
  let signal = 0;
  let error = 0;
  for (let k = from; k < to; k++) {
    const ideal = amplitude * Math.sin((2 * Math.PI * freq * k) / rate);
    signal += ideal * ideal;
    error += (y[k] - ideal) ** 2;
  }
  return error === 0 ? Infinity : 10 * Math.log10(signal / error);
}

/** RMS level of y[from..to) in dBFS (a full-scale sine is 0 dBFS); -Infinity for digital silence. */
export function levelDbfs(y: Int16Array, from: number, to: number): number {
  let sum = 0;
  for (let k = from; k < to; k++) sum += y[k] * y[k];
  return 20 * Math.log10(Math.sqrt(sum / (to - from)) / FULL_SCALE_RMS);
}

export const toDb = (ratio: number): number => 20 * Math.log10(ratio);
