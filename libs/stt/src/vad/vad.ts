import { SttError } from '../errors';
import { type EndpointEvent, Endpointer } from './endpointer';
import { type FvadModule, loadFvad } from './fvad-module';

export type VadSampleRate = 8000 | 16000 | 32000 | 48000;

export interface VadOptions {
  /** fvad takes 8, 16, 32 or 48 kHz; telephone audio runs natively at 8000. */
  readonly sampleRate: VadSampleRate;
  /** 0..3, increasingly aggressive about calling audio non-speech (default 3: fewest false onsets). */
  readonly mode?: 0 | 1 | 2 | 3;
  /** 10, 20 or 30 ms frames (default 20, one Twilio media frame). */
  readonly frameMs?: 10 | 20 | 30;
  /** See {@link EndpointerOptions}: default 60 ms. */
  readonly onsetMs?: number;
  /** See {@link EndpointerOptions}: default 500 ms. */
  readonly hangoverMs?: number;
}

export interface VadFrameResult {
  /** fvad's decision for this frame. */
  readonly speech: boolean;
  /** Onset or offset, when this frame completed one. */
  readonly event: EndpointEvent | undefined;
}

/** WebRTC VAD (libfvad via WASM) with a TS endpointer. One per audio stream; call dispose() when done. */
export interface Vad {
  readonly sampleRate: VadSampleRate;
  readonly mode: 0 | 1 | 2 | 3;
  readonly frameMs: 10 | 20 | 30;
  /** Samples per frame: sampleRate × frameMs / 1000 (160 at 8 kHz / 20 ms). */
  readonly frameSamples: number;
  readonly endpointer: Endpointer;
  /** Classifies one frame of exactly `frameSamples` PCM16 samples (≈3–5 µs per 20 ms frame). */
  isSpeech(frame: Int16Array): boolean;
  /** isSpeech + endpointer in one call. */
  process(frame: Int16Array): VadFrameResult;
  reset(): void;
  dispose(): void;
}

class FvadVad implements Vad {
  readonly frameSamples: number;
  readonly endpointer: Endpointer;
  private readonly inst: number;
  private readonly buf: number;
  private heap: Int16Array;
  private disposed = false;

  constructor(
    private readonly m: FvadModule,
    readonly sampleRate: VadSampleRate,
    readonly mode: 0 | 1 | 2 | 3,
    readonly frameMs: 10 | 20 | 30,
    o: VadOptions,
  ) {
    this.frameSamples = (sampleRate * frameMs) / 1000;
    this.endpointer = new Endpointer({ frameMs, onsetMs: o.onsetMs, hangoverMs: o.hangoverMs });
    this.inst = m.fvad_new();
    if (this.inst === 0) throw new SttError('STT_VAD_UNAVAILABLE', 'fvad: fvad_new failed', { provider: 'fvad', retryable: false });
    if (m.fvad_set_sample_rate(this.inst, sampleRate) !== 0 || m.fvad_set_mode(this.inst, mode) !== 0) {
      m.fvad_free(this.inst);
      throw new RangeError(`createVad: unsupported sampleRate ${sampleRate} or mode ${mode}`);
    }
    this.buf = m.malloc(this.frameSamples * 2);
    this.heap = new Int16Array(m.memory.buffer);
  }

  isSpeech(frame: Int16Array): boolean {
    if (this.disposed) throw new Error('Vad: used after dispose()');
    if (frame.length !== this.frameSamples) {
      throw new RangeError(`Vad: frame must be ${this.frameSamples} samples (${this.frameMs} ms), got ${frame.length}`);
    }
    // A grown WASM memory detaches the old ArrayBuffer: re-take the view then.
    if (this.heap.buffer !== this.m.memory.buffer) this.heap = new Int16Array(this.m.memory.buffer);
    this.heap.set(frame, this.buf >> 1);
    return this.m.fvad_process(this.inst, this.buf, this.frameSamples) === 1;
  }

  process(frame: Int16Array): VadFrameResult {
    const speech = this.isSpeech(frame);
    return { speech, event: this.endpointer.push(speech) };
  }

  reset(): void {
    this.m.fvad_reset(this.inst);
    // fvad_reset also resets mode and rate to their defaults (fvad.h), so set them again.
    this.m.fvad_set_sample_rate(this.inst, this.sampleRate);
    this.m.fvad_set_mode(this.inst, this.mode);
    this.endpointer.reset();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.m.free(this.buf);
    this.m.fvad_free(this.inst);
  }
}

/**
 * Creates a VAD. Async because the WASM module is compiled on first use (≈ms, once per process); nothing
 * happens at import time.
 */
export async function createVad(o: VadOptions): Promise<Vad> {
  const m = await loadFvad();
  return new FvadVad(m, o.sampleRate, o.mode ?? 3, o.frameMs ?? 20, o);
}
