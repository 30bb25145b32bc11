/**
 * Resampler comparison: quality (deterministic) and speed (CPU time, medians of interleaved rounds) for this
 * lib and its peers, in one run so the ratios are comparable.
 */
import { fitAmplitude, levelDbfs, noise, toDb, tone } from '../src/spec-helpers/signals';
import type { Candidate, ResampleStream } from './resample-peers';
import { cpuMicrosPerCall, interleaved, ratio } from './timing';

export interface ResampleRow {
  readonly pair: string;
  readonly candidate: string;
  /**
   * Downsampling to 8 kHz: RMS level of a 0 dBFS 5 kHz tone after conversion. Upsampling: the 5.01 kHz image of a
   * 2.99 kHz tone, dBc (not 3 kHz: a tone commensurate with 8 kHz makes the int16 rounding error periodic, with
   * components right on the image frequency).
   */
  readonly aliasDb: number;
  readonly passbandErrDb: number;
  readonly gain3k4Db: number;
  readonly snr1kDb: number;
  readonly wholeXRT: number;
  readonly streamXRT: number | undefined;
  readonly usPer20ms: number | undefined;
  readonly chunkedEqualsWhole: string;
  readonly latencyMs: number | undefined;
  readonly xSpeexStream: number | undefined;
}

const AMPLITUDE = 0.9 * 32767;
const SPEED_SECONDS = 5;

function run(stream: ResampleStream, input: Int16Array, chunk: number): Int16Array {
  const parts: Int16Array[] = [];
  for (let at = 0; at < input.length; at += chunk) parts.push(stream.process(input.subarray(at, at + chunk)));
  parts.push(stream.flush());
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const whole = (c: Candidate, from: number, to: number, x: Int16Array): Int16Array => run(c.open(from, to), x, x.length);

/** SNR against an ideal 1 kHz sine of the input amplitude, after removing the converter's constant delay (phase). */
function snrDelayCompensated(y: Int16Array, rate: number, a: number, b: number): number {
  const w = (2 * Math.PI * 1000) / rate;
  let ys = 0;
  let yc = 0;
  for (let k = a; k < b; k++) {
    ys += y[k] * Math.sin(w * k);
    yc += y[k] * Math.cos(w * k);
  }
  const phase = Math.atan2(yc, ys);
  let signal = 0;
  let error = 0;
  for (let k = a; k < b; k++) {
    const ideal = AMPLITUDE * Math.sin(w * k + phase);
    signal += ideal * ideal;
    error += (y[k] - ideal) ** 2;
  }
  return 10 * Math.log10(signal / error);
}

function quality(c: Candidate, from: number, to: number): Pick<ResampleRow, 'aliasDb' | 'passbandErrDb' | 'gain3k4Db' | 'snr1kDb' | 'chunkedEqualsWhole'> {
  const n = from; // 1 s
  // Clear of every converter's start-up and tail, and whole 0.1 s periods long so that 2.99 kHz and 5.01 kHz are
  // orthogonal over the fit window (no leakage of the tone into the image measurement).
  const [a, b] = [Math.round(to * 0.05), Math.round(to * 0.05) + Math.round(to * 0.8)];
  const down = to < from;
  const aliasDb = down
    ? levelDbfs(whole(c, from, to, tone(5000, from, n, 32767)), a, b)
    : toDb(fitAmplitude(whole(c, from, to, tone(2990, from, n, AMPLITUDE)), 5010, to, a, b) / AMPLITUDE);
  const gain = (f: number): number => toDb(fitAmplitude(whole(c, from, to, tone(f, from, n, AMPLITUDE)), f, to, a, b) / AMPLITUDE);
  const passbandErrDb = Math.max(...[300, 1000, 2000, 3000].map((f) => Math.abs(gain(f))));
  const snr1kDb = snrDelayCompensated(whole(c, from, to, tone(1000, from, n, AMPLITUDE)), to, a, b);
  let chunkedEqualsWhole = 'n/a (whole buffers only)';
  if (!c.wholeOnly) {
    const x = noise(n, 7);
    const w = whole(c, from, to, x);
    const s = run(c.open(from, to), x, Math.round(from / 50));
    const len = Math.min(w.length, s.length);
    let diff = 0;
    for (let i = 0; i < len; i++) diff = Math.max(diff, Math.abs(w[i] - s[i]));
    chunkedEqualsWhole = diff === 0 ? (w.length === s.length ? 'yes, bit-identical' : 'yes (common prefix)') : `NO (max diff ${diff})`;
  }
  return { aliasDb, passbandErrDb, gain3k4Db: gain(3400), snr1kDb, chunkedEqualsWhole };
}

export function runResampleBench(candidates: readonly Candidate[], pairs: readonly (readonly [number, number])[], rounds: number): ResampleRow[] {
  const rows: ResampleRow[] = [];
  for (const [from, to] of pairs) {
    const input = noise(from * SPEED_SECONDS, 1);
    const chunk = Math.round(from / 50);
    const jobs: Record<string, () => number> = {};
    for (const c of candidates) {
      const wholeStream = c.open(from, to);
      jobs[`whole:${c.name}`] = () => cpuMicrosPerCall(() => run(wholeStream, input, input.length), 50);
      if (!c.wholeOnly) {
        const s = c.open(from, to);
        jobs[`stream:${c.name}`] = () => cpuMicrosPerCall(() => run(s, input, chunk), 50);
      }
    }
    const t = interleaved(jobs, rounds);
    const speex = t['stream:speex-wasm q5'];
    for (const c of candidates) {
      const st = t[`stream:${c.name}`];
      rows.push({
        pair: `${from}->${to}`,
        candidate: c.name,
        ...quality(c, from, to),
        wholeXRT: (SPEED_SECONDS * 1e6) / t[`whole:${c.name}`].median,
        streamXRT: st === undefined ? undefined : (SPEED_SECONDS * 1e6) / st.median,
        usPer20ms: st === undefined ? undefined : st.median / (SPEED_SECONDS * 50),
        latencyMs: c.latencyMs(from, to),
        xSpeexStream: st === undefined || speex === undefined ? undefined : ratio(speex, st).median,
      });
    }
  }
  return rows;
}
