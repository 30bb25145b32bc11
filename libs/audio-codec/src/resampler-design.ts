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
  /** Taps each side of the centre (the filter has 2·half + 1 taps); half = zeroCrossings·factor - 1. */
  readonly half: number;
  /** The symmetric filter's right half: taps[u] multiplies x[c - u] + x[c + u] (taps[0] only x[c]). */
  readonly taps: Float64Array;
  /**
   * The same non-zero taps regrouped by residue: lanes[r - 1][j] = taps[r + factor·j], r = 1..factor-1. Taps at
   * multiples of `factor` are exact sinc zeros and appear in no lane.
   */
  readonly lanes: readonly Float64Array[];
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
  // Half-width of the kernel in input samples; it is zero at and beyond ±width. Computed as Z·from/to rather than
  // Z/scale so that it is an exact integer for integer factors (13 / (1/3) is 39.00000000000001).
  const width = to < from ? (zeroCrossings * from) / to : zeroCrossings;
  const kernel = (u: number): number => windowedSinc(u, scale, zeroCrossings, beta, i0Beta);

  if (up === 1) {
    // width = zeroCrossings·down exactly, so the kernel's last non-zero tap is at half = width - 1.
    const half = Math.ceil(width) - 1;
    const taps = new Float64Array(half + 1);
    let sum = 0;
    for (let u = 0; u <= half; u++) {
      taps[u] = kernel(u);
      sum += u === 0 ? taps[u] : 2 * taps[u];
    }
    for (let u = 0; u <= half; u++) taps[u] /= sum;
    // Lanes need every residue to end exactly at `half` (true when half = Z·down - 1, as here); otherwise the
    // resampler falls back to the dense loop.
    const perLane = Math.floor((half - (down - 1)) / down) + 1;
    const lanes: Float64Array[] = [];
    if (down - 1 + down * (perLane - 1) === half) {
      for (let r = 1; r < down; r++) lanes.push(Float64Array.from({ length: perLane }, (_, j) => taps[r + down * j]));
    }
    return { kind: 'decimate', factor: down, half, taps, lanes };
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
