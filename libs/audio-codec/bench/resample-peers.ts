/**
 * Every resampler in the comparison behind one streaming shape. Peers that only work on whole buffers
 * (wavefile) say so; their streaming numbers are not measured (they keep no filter state between calls and
 * click at chunk boundaries; see the wavefile rows of the README's resampling tables).
 */
import { WaveFile } from 'wavefile';
import { Resampler, type ResamplerQuality } from '../src/index';

export interface ResampleStream {
  process(input: Int16Array): Int16Array;
  /** Emits what the filter still holds (peers without a real end-of-input get zeros fed to them). */
  flush(): Int16Array;
}

export interface Candidate {
  readonly name: string;
  readonly wholeOnly: boolean;
  /** Algorithmic latency in ms where the implementation reports it. */
  latencyMs(from: number, to: number): number | undefined;
  open(from: number, to: number): ResampleStream;
}

export function ours(quality: ResamplerQuality): Candidate {
  return {
    name: `@voice/audio-codec Resampler (${quality})`,
    wholeOnly: false,
    latencyMs: (from, to) => new Resampler(from, to, { quality }).latencyMs,
    open: (from, to) => new Resampler(from, to, { quality }),
  };
}

/** The parts of the Emscripten module of @echogarden/speex-resampler-wasm we call (speex_resampler.h). */
interface SpeexModule {
  HEAP16: Int16Array;
  HEAPU32: Uint32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _speex_resampler_init(channels: number, inRate: number, outRate: number, quality: number, errPtr: number): number;
  _speex_resampler_process_int(st: number, channel: number, inPtr: number, inLenPtr: number, outPtr: number, outLenPtr: number): number;
  _speex_resampler_get_input_latency(st: number): number;
}

/** Its instantiation is asynchronous (Emscripten MODULARIZE factory), so the bench loads it once up front. */
export async function loadSpeex(): Promise<SpeexModule> {
  // The package is ESM-only; Node ≥ 20.19 can require() it (no top-level await inside).
  const factory = (require('@echogarden/speex-resampler-wasm/simd') as { default: () => Promise<SpeexModule> }).default;
  return factory();
}

export function speex(m: SpeexModule, quality: number): Candidate {
  const open = (from: number, to: number): ResampleStream & { latency: number } => {
    const err = m._malloc(4);
    const st = m._speex_resampler_init(1, from, to, quality, err);
    const lens = m._malloc(8);
    let cap = 0;
    let inPtr = 0;
    let outPtr = 0;
    const run = (input: Int16Array): Int16Array => {
      const outCap = Math.ceil((input.length * to) / from) + 64;
      if (Math.max(input.length, outCap) > cap) {
        if (cap > 0) {
          m._free(inPtr);
          m._free(outPtr);
        }
        cap = Math.max(input.length, outCap) * 2;
        inPtr = m._malloc(cap * 2);
        outPtr = m._malloc(cap * 2);
      }
      m.HEAP16.set(input, inPtr >> 1);
      m.HEAPU32[lens >> 2] = input.length;
      m.HEAPU32[(lens >> 2) + 1] = cap;
      m._speex_resampler_process_int(st, 0, inPtr, lens, outPtr, lens + 4);
      const produced = m.HEAPU32[(lens >> 2) + 1];
      return m.HEAP16.slice(outPtr >> 1, (outPtr >> 1) + produced);
    };
    const latency = m._speex_resampler_get_input_latency(st);
    return { latency, process: run, flush: () => run(new Int16Array(latency)) };
  };
  return {
    name: `speex-wasm q${quality}`,
    wholeOnly: false,
    latencyMs: (from, to) => (open(from, to).latency / from) * 1000,
    open,
  };
}

interface LsrSrc {
  full(dataIn: Float32Array): Float32Array;
}
interface LsrModule {
  create(channels: number, from: number, to: number, options: { converterType: number }): Promise<LsrSrc>;
  ConverterType: { SRC_SINC_MEDIUM_QUALITY: number; SRC_SINC_FASTEST: number };
}

export function loadLibsamplerate(): LsrModule {
  return require('@alexanderolsen/libsamplerate-js') as LsrModule;
}

/**
 * libsamplerate-js creates its converter asynchronously, so streams are opened ahead of time: `prepare` makes
 * `count` converters per rate pair, and `open` hands them out in order.
 */
export async function libsamplerate(lsr: LsrModule, type: 'SINC_MEDIUM' | 'SINC_FASTEST', pairs: readonly (readonly [number, number])[], count: number): Promise<Candidate> {
  const converterType = type === 'SINC_MEDIUM' ? lsr.ConverterType.SRC_SINC_MEDIUM_QUALITY : lsr.ConverterType.SRC_SINC_FASTEST;
  const pool = new Map<string, LsrSrc[]>();
  for (const [from, to] of pairs) {
    const list: LsrSrc[] = [];
    for (let i = 0; i < count; i++) list.push(await lsr.create(1, from, to, { converterType }));
    pool.set(`${from}:${to}`, list);
  }
  const convert = (src: LsrSrc, input: Int16Array): Int16Array => {
    const f = new Float32Array(input.length);
    for (let i = 0; i < input.length; i++) f[i] = input[i] / 32768;
    const y = src.full(f);
    const out = new Int16Array(y.length);
    for (let i = 0; i < y.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(y[i] * 32768)));
    return out;
  };
  return {
    name: `libsamplerate-js ${type}`,
    wholeOnly: false,
    latencyMs: () => undefined,
    open: (from, to) => {
      const src = pool.get(`${from}:${to}`)?.shift();
      if (src === undefined) throw new Error(`no libsamplerate converter left for ${from}→${to}`);
      return { process: (x) => convert(src, x), flush: () => convert(src, new Int16Array(Math.ceil(from / 50))) };
    },
  };
}

export function wavefile(method: 'cubic' | 'sinc'): Candidate {
  return {
    name: `wavefile toSampleRate ${method}`,
    wholeOnly: true,
    latencyMs: () => 0,
    open: (from, to) => ({
      process: (input) => {
        const w = new WaveFile();
        w.fromScratch(1, from, '16', input);
        w.toSampleRate(to, { method });
        return w.getSamples(false, Int16Array) as unknown as Int16Array;
      },
      flush: () => new Int16Array(0),
    }),
  };
}
