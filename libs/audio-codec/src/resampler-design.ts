/**
 * Coefficient tables for the streaming resampler, built once per (from, to, quality) and shared by every
 * Resampler instance (a gateway creates one per call; the tables are read-only).
 *
 * Cut-off: the lower Nyquist frequency, with the transition band centred on it (3–5 kHz for an 8 kHz side at the
 * default quality). Centring it there makes the decimator a Nyquist(M) filter whose every M-th tap is zero
 * (for 16k→8k, a half-band filter), which the integer path skips.
 */
import { AudioCodecError } from './errors';
import { gcd, besselI0, kaiserBeta, windowedSinc, zeroCrossingsFor } from './fir-design';

export type ResamplerQuality = 'default' | 'high';

interface QualityPreset {
  /** Stop-band rejection, dB. */
  readonly attenuationDb: number;
  /** Transition band width relative to the lower sample rate. */
  readonly transition: number;
}

/**
 * default: 3–5 kHz transition at 8 kHz, 100 dB; meets the telephony bar (5 kHz alias ≤ -90 dBFS, ≤ 0.1 dB to 3 kHz)
 * with the fewest taps. high: 3.4–4.6 kHz, 110 dB, for flat response to 3.4 kHz at about 2× the cost.
 */
const PRESETS: Record<ResamplerQuality, QualityPreset> = {
  default: { attenuationDb: 100, transition: 0.25 },
  high: { attenuationDb: 110, transition: 0.15 },
};

/** Polyphase tables above this many coefficients mean an unusual rate pair (e.g. 44100 ↔ 44101). */
const MAX_TABLE = 1 << 18;

export interface DecimatorDesign {
  readonly kind: 'decimate';
  /** Integer decimation factor (to = from / factor). */
  readonly factor: number;
  /** Taps each side of the centre (the filter has 2·half + 1 taps). */
  readonly half: number;
  readonly center: number;
  /** Non-zero symmetric taps: output = center·x[c] + Σ gains[i]·(x[c - offsets[i]] + x[c + offsets[i]]). */
  readonly offsets: Int32Array;
  readonly gains: Float64Array;
}

export interface PolyphaseDesign {
  readonly kind: 'polyphase';
  /** to/from = up/down in lowest terms. */
  readonly up: number;
  readonly down: number;
  /** Taps per phase; phase p's taps apply to x[idx - left .. idx + taps - left - 1]. */
  readonly taps: number;
  readonly left: number;
  /** up × taps coefficients, phase-major; each phase sums to exactly 1 (no DC ripple between phases). */
  readonly coefs: Float64Array;
  /**
   * Per phase: the tap index when the phase is a unit impulse (an input sample passes through exactly, as phase 0
   * of every integer-factor interpolator does), else -1. The run loop copies those instead of filtering.
   */
  readonly unitTap: Int32Array;
}

export type ResamplerDesign = DecimatorDesign | PolyphaseDesign;

const cache = new Map<string, ResamplerDesign>();

export function checkRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate < 1000 || rate > 384000) {
    throw new AudioCodecError('AUDIO_BAD_RATE', `${name} must be an integer from 1000 to 384000 Hz, got ${rate}`);
  }
}

export function getDesign(from: number, to: number, quality: ResamplerQuality): ResamplerDesign {
  const key = `${from}:${to}:${quality}`;
  let design = cache.get(key);
  if (design === undefined) {
    design = buildDesign(from, to, PRESETS[quality]);
    cache.set(key, design);
  }
  return design;
}

function buildDesign(from: number, to: number, preset: QualityPreset): ResamplerDesign {
  const g = gcd(from, to);
  const up = to / g;
  const down = from / g;
  const zeroCrossings = zeroCrossingsFor(preset.attenuationDb, preset.transition);
  const beta = kaiserBeta(preset.attenuationDb);
  const i0Beta = besselI0(beta);
  const scale = Math.min(1, to / from);
  // Half-width of the kernel in input samples; it is zero at and beyond ±width.
  const width = zeroCrossings / scale;
  const kernel = (u: number): number => windowedSinc(u, scale, zeroCrossings, beta, i0Beta);

  if (up === 1) {
    const half = Math.ceil(width) - 1;
    const raw = new Float64Array(half + 1);
    let sum = 0;
    for (let u = 0; u <= half; u++) {
      raw[u] = kernel(u);
      sum += u === 0 ? raw[u] : 2 * raw[u];
    }
    const offsets: number[] = [];
    const gains: number[] = [];
    for (let u = 1; u <= half; u++) {
      // Exact zeros of the sinc (every `down`-th tap) are skipped rather than multiplied.
      if (u % down === 0) continue;
      offsets.push(u);
      gains.push(raw[u] / sum);
    }
    return {
      kind: 'decimate',
      factor: down,
      half,
      center: raw[0] / sum,
      offsets: Int32Array.from(offsets),
      gains: Float64Array.from(gains),
    };
  }

  const left = Math.ceil(width) - 1;
  const taps = 2 * Math.ceil(width);
  if (up * taps > MAX_TABLE) {
    throw new AudioCodecError('AUDIO_BAD_RATE', `${from} Hz → ${to} Hz needs ${up} filter phases; pick common rates`);
  }
  const coefs = new Float64Array(up * taps);
  for (let phase = 0; phase < up; phase++) {
    // Output at input position idx + phase/up; tap t reads x[idx - left + t], at distance u = phase/up + left - t.
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const c = kernel(phase / up + left - t);
      coefs[phase * taps + t] = c;
      sum += c;
    }
    for (let t = 0; t < taps; t++) coefs[phase * taps + t] /= sum;
  }
  const unitTap = new Int32Array(up).fill(-1);
  for (let phase = 0; phase < up; phase++) {
    const row = coefs.subarray(phase * taps, (phase + 1) * taps);
    const nonZero = row.reduce((n, c) => n + (c !== 0 ? 1 : 0), 0);
    if (nonZero === 1) unitTap[phase] = row.findIndex((c) => c === 1);
  }
  return { kind: 'polyphase', up, down, taps, left, coefs, unitTap };
}
