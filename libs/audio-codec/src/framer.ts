/**
 * Cuts a μ-law byte stream into the 160-byte, 20 ms frames that Twilio Media Streams carries (8 kHz, 1 byte per
 * sample). Frames are fresh copies, so callers may keep them after pushing the next chunk.
 */
import { AudioCodecError } from './errors';

export const FRAME_MS = 20;
/** 20 ms of μ-law at 8 kHz. */
export const FRAME_BYTES = 160;
/** μ-law code of digital silence (G.711: positive zero encodes to 0xFF). */
export const MULAW_SILENCE = 0xff;

export class MulawFramer {
  readonly frameBytes: number;
  private readonly remainder: Uint8Array;
  private filled = 0;

  constructor(frameBytes = FRAME_BYTES) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) {
      throw new AudioCodecError('AUDIO_BAD_FRAME_SIZE', `frameBytes must be a positive integer, got ${frameBytes}`);
    }
    this.frameBytes = frameBytes;
    this.remainder = new Uint8Array(frameBytes);
  }

  /** Bytes waiting for a full frame. */
  get pending(): number {
    return this.filled;
  }

  /** Returns every frame completed by `chunk` (possibly none); the rest waits for the next push. */
  push(chunk: Uint8Array): Uint8Array[] {
    const size = this.frameBytes;
    const frames: Uint8Array[] = [];
    let at = 0;
    if (this.filled > 0) {
      const take = Math.min(size - this.filled, chunk.length);
      this.remainder.set(chunk.subarray(0, take), this.filled);
      this.filled += take;
      at = take;
      if (this.filled < size) return frames;
      frames.push(this.remainder.slice());
      this.filled = 0;
    }
    for (; at + size <= chunk.length; at += size) frames.push(chunk.slice(at, at + size));
    if (at < chunk.length) {
      this.remainder.set(chunk.subarray(at), 0);
      this.filled = chunk.length - at;
    }
    return frames;
  }

  /** The remainder padded with μ-law silence to a full frame, or undefined when nothing is pending. */
  flush(): Uint8Array | undefined {
    if (this.filled === 0) return undefined;
    const frame = new Uint8Array(this.frameBytes).fill(MULAW_SILENCE);
    frame.set(this.remainder.subarray(0, this.filled), 0);
    this.filled = 0;
    return frame;
  }

  reset(): void {
    this.filled = 0;
  }
}
