/**
 * Turning caller or synthesized PCM16 at any rate into a capped snippet at the snippet rate (24 kHz for CSM).
 *
 * Only the part that can be kept is resampled: an 8 kHz caller utterance of 30 s needs its last 6 s, not all of it.
 * The cut is placed on a sample where the input and output grids coincide (a multiple of from/gcd(from, to)) and
 * `margin` samples before the kept part, so every kept output sample sees the same filter input as it would in a
 * whole-utterance `resample()`: the snippet is bit-identical to the matching slice of the full resample.
 */
import { AudioCodecError, Resampler } from '@voice/audio-codec';
import { ContextBufferError } from './errors';
import type { SnippetKeep } from './options';

/** PCM16 mono audio at any rate. Twilio caller audio is μ-law 8 kHz: decode it with `decodeMulaw` first. */
export interface SnippetAudio {
  readonly samples: Int16Array;
  readonly sampleRate: number;
}

const gcd = (a: number, b: number): number => {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
};

/** Checks an audio argument; returns false for "no audio" (undefined or zero samples). */
export function checkAudio(audio: SnippetAudio | undefined, what: string): audio is SnippetAudio {
  if (audio === undefined) return false;
  // toString tag, not instanceof: a typed array from another realm (a worker, a vm context) is still an Int16Array.
  if (audio === null || Object.prototype.toString.call(audio.samples) !== '[object Int16Array]') {
    throw new ContextBufferError('CONTEXT_BAD_AUDIO', `${what}: samples must be an Int16Array (PCM16 mono)`);
  }
  const rate = audio.sampleRate;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate <= 0) {
    throw new ContextBufferError('CONTEXT_BAD_AUDIO', `${what}: sampleRate must be a positive integer, got ${String(rate)}`);
  }
  return audio.samples.length > 0;
}

/**
 * A copy of `audio` at `rate`, at most `capSamples` long, keeping its end or its start. Never aliases the input,
 * which callers often reuse. Returns undefined when the cap is 0.
 */
export function toSnippet(audio: SnippetAudio, rate: number, capSamples: number, keep: SnippetKeep): Int16Array | undefined {
  if (capSamples <= 0) return undefined;
  const input = audio.samples;
  if (audio.sampleRate === rate) return copyCapped(input, capSamples, keep);
  let resampler: Resampler;
  try {
    resampler = new Resampler(audio.sampleRate, rate);
  } catch (cause) {
    const detail = cause instanceof AudioCodecError ? cause.message : String(cause);
    throw new ContextBufferError('CONTEXT_BAD_AUDIO', `cannot resample ${audio.sampleRate} Hz to ${rate} Hz: ${detail}`, { cause });
  }
  // Input samples on each side of an output sample's centre that its filter reads, plus one for rounding.
  const margin = Math.ceil((resampler.latencyMs * audio.sampleRate) / 1000) + 2;
  const needed = Math.ceil((capSamples * audio.sampleRate) / rate) + margin;
  if (keep === 'start') {
    const head = input.length > needed ? input.subarray(0, needed) : input;
    return copyCapped(resampleAll(resampler, head), capSamples, 'start');
  }
  const step = audio.sampleRate / gcd(audio.sampleRate, rate);
  let from = input.length - needed;
  from = from <= 0 ? 0 : from - (from % step);
  return copyCapped(resampleAll(resampler, input.subarray(from)), capSamples, 'end');
}

function resampleAll(r: Resampler, input: Int16Array): Int16Array {
  // After flush a stream of N samples totals round(N·to/from) (audio-codec's exact length rule): floor + 1 holds it.
  const out = new Int16Array(Math.floor((input.length * r.toRate) / r.fromRate) + 1);
  const head = r.process(input, out);
  const tail = r.flush(out.subarray(head.length));
  return out.subarray(0, head.length + tail.length);
}

function copyCapped(samples: Int16Array, cap: number, keep: SnippetKeep): Int16Array {
  if (samples.length <= cap) return samples.slice();
  return keep === 'end' ? samples.slice(samples.length - cap) : samples.slice(0, cap);
}

/** Joins snippets, then caps the result the same way a single snippet is capped. */
export function joinCapped(parts: readonly Int16Array[], cap: number, keep: SnippetKeep): Int16Array | undefined {
  let total = 0;
  for (const p of parts) total += p.length;
  if (total === 0 || cap <= 0) return undefined;
  const n = Math.min(total, cap);
  const out = new Int16Array(n);
  if (keep === 'end') {
    let at = n;
    for (let i = parts.length - 1; i >= 0 && at > 0; i--) {
      const p = parts[i];
      const take = Math.min(p.length, at);
      out.set(p.subarray(p.length - take), at - take);
      at -= take;
    }
  } else {
    let at = 0;
    for (let i = 0; i < parts.length && at < n; i++) {
      const p = parts[i];
      const take = Math.min(p.length, n - at);
      out.set(p.subarray(0, take), at);
      at += take;
    }
  }
  return out;
}
