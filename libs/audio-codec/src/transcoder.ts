/**
 * "Transcode once" (docs/architecture.md): one stateful converter per stream between any two AudioFormats, μ-law or
 * PCM16 at any rate. Equal formats pass bytes straight through. Chunked input gives the same bytes as whole
 * input: the resampler is streaming, and a PCM16 sample split across two chunks (an odd byte count, which
 * HTTP and WebSocket framing produce freely) is held back until its second byte arrives.
 */
import { sameFormat, type AudioFormat } from './audio-format';
import { AudioCodecError } from './errors';
import { decodeMulaw, encodeMulaw } from './mulaw';
import { bytesToInt16, copyBytesToInt16, int16ToBytes } from './pcm';
import { Resampler, type ResamplerOptions } from './resampler';
import { checkRate } from './resampler-design';

export interface Transcoder {
  /** Converts one chunk; returns a new array (empty while a filter or half a sample is still filling). */
  process(bytes: Uint8Array): Uint8Array;
  /** Emits the resampler tail and ends the stream; a final odd byte (half a sample) is dropped. */
  flush(): Uint8Array;
  reset(): void;
}

const EMPTY = new Uint8Array(0);

function checkFormat(format: AudioFormat, name: string): void {
  if (format.encoding !== 'mulaw' && format.encoding !== 'pcm16') {
    throw new AudioCodecError('AUDIO_BAD_FORMAT', `${name}: unknown encoding '${String(format.encoding)}'`);
  }
  if (format.channels !== 1) {
    throw new AudioCodecError('AUDIO_BAD_FORMAT', `${name}: only mono streams are supported, got ${format.channels} channels`);
  }
  checkRate(format.sampleRate, `${name}.sampleRate`);
}

export function createTranscoder(from: AudioFormat, to: AudioFormat, options?: ResamplerOptions): Transcoder {
  checkFormat(from, 'from');
  checkFormat(to, 'to');
  if (sameFormat(from, to)) return { process: (bytes) => bytes, flush: () => EMPTY, reset: () => undefined };
  return new StreamTranscoder(from, to, options);
}

class StreamTranscoder implements Transcoder {
  private readonly fromMulaw: boolean;
  private readonly toMulaw: boolean;
  private readonly resampler: Resampler | undefined;
  /** The first byte of a PCM16 sample whose second byte has not arrived; -1 when none. */
  private dangling = -1;
  private samplesIn = new Int16Array(0);
  private samplesOut = new Int16Array(0);

  constructor(from: AudioFormat, to: AudioFormat, options: ResamplerOptions | undefined) {
    this.fromMulaw = from.encoding === 'mulaw';
    this.toMulaw = to.encoding === 'mulaw';
    this.resampler = from.sampleRate === to.sampleRate ? undefined : new Resampler(from.sampleRate, to.sampleRate, options);
  }

  process(bytes: Uint8Array): Uint8Array {
    // Without a resampler and with PCM16 out, decode straight into the array we return.
    const direct = this.resampler === undefined && !this.toMulaw;
    const input = this.fromMulaw ? this.decode(bytes, direct) : this.unpack(bytes, direct);
    return this.emit(input, direct);
  }

  flush(): Uint8Array {
    this.dangling = -1;
    if (this.resampler === undefined) return EMPTY;
    const tail = this.resampler.flush();
    return this.toMulaw ? encodeMulaw(tail) : int16ToBytes(tail);
  }

  reset(): void {
    this.dangling = -1;
    this.resampler?.reset();
  }

  /** The converted samples of this chunk, ready to encode. `fresh` = already a new array we may hand out. */
  private emit(samples: Int16Array, fresh: boolean): Uint8Array {
    let out = samples;
    if (this.resampler !== undefined) {
      // PCM16 out: let the resampler allocate the array we return. μ-law out: resample into scratch, encode fresh.
      out = this.toMulaw
        ? this.resampler.process(samples, this.scratchOut(this.resampler.maxOutputLength(samples.length)))
        : this.resampler.process(samples);
      fresh = !this.toMulaw;
    }
    if (this.toMulaw) return encodeMulaw(out);
    return int16ToBytes(fresh ? out : out.slice());
  }

  private decode(bytes: Uint8Array, fresh: boolean): Int16Array {
    return decodeMulaw(bytes, fresh ? new Int16Array(bytes.length) : this.scratchIn(bytes.length));
  }

  /** PCM16 bytes → samples, carrying an odd byte over to the next call. */
  private unpack(bytes: Uint8Array, fresh: boolean): Int16Array {
    if (bytes.length === 0) return new Int16Array(0);
    const carried = this.dangling >= 0 ? 1 : 0;
    const total = carried + bytes.length;
    const count = total >> 1;
    const nextDangling = total % 2 === 1 ? bytes[bytes.length - 1] : -1;
    if (!fresh && carried === 0 && bytes.byteOffset % 2 === 0) {
      this.dangling = nextDangling;
      return bytesToInt16(bytes.subarray(0, 2 * count)); // zero-copy view, read before we return
    }
    const out = fresh ? new Int16Array(count) : this.scratchIn(count);
    let at = 0;
    let from = 0;
    if (carried === 1 && count > 0) {
      out[0] = this.dangling | (bytes[0] << 8);
      at = 1;
      from = 1;
    }
    copyBytesToInt16(bytes, from, count - at, out, at);
    this.dangling = nextDangling;
    return out;
  }

  private scratchIn(n: number): Int16Array {
    if (this.samplesIn.length < n) this.samplesIn = new Int16Array(Math.max(n, 2 * this.samplesIn.length));
    return this.samplesIn.subarray(0, n);
  }

  private scratchOut(n: number): Int16Array {
    if (this.samplesOut.length < n) this.samplesOut = new Int16Array(Math.max(n, 2 * this.samplesOut.length));
    return this.samplesOut;
  }
}
