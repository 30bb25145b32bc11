/**
 * Bounded byte ring addressed by absolute stream position (bytes of caller audio since the stream start).
 * Keeps the audio a reconnect must replay: what was not yet finalized by the provider plus what could not be
 * sent while the socket was down. When full, the oldest bytes go first.
 */
export class AudioRing {
  private readonly buf: Uint8Array;
  private head = 0; // index in buf of the byte at `start`
  private length = 0;
  private startPos = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`AudioRing capacity must be a positive integer, got ${capacity}`);
    this.buf = new Uint8Array(capacity);
  }

  /** Absolute position of the oldest byte held. */
  get start(): number {
    return this.startPos;
  }

  /** Absolute position just after the newest byte (= total bytes ever pushed). */
  get end(): number {
    return this.startPos + this.length;
  }

  /** Appends bytes; returns the absolute position of the oldest byte kept, after any eviction. */
  push(data: Uint8Array): number {
    let src = data;
    if (src.length >= this.capacity) {
      // Only the newest `capacity` bytes can stay; everything older (held or incoming) is evicted.
      this.startPos = this.end + src.length - this.capacity;
      src = src.subarray(src.length - this.capacity);
      this.head = 0;
      this.length = 0;
    } else {
      const overflow = this.length + src.length - this.capacity;
      if (overflow > 0) this.discardBefore(this.startPos + overflow);
    }
    const tail = (this.head + this.length) % this.capacity;
    const first = Math.min(src.length, this.capacity - tail);
    this.buf.set(src.subarray(0, first), tail);
    if (first < src.length) this.buf.set(src.subarray(first), 0);
    this.length += src.length;
    return this.startPos;
  }

  /** Forgets bytes before absolute position `pos` (e.g. audio the provider has finalized). */
  discardBefore(pos: number): void {
    const n = Math.min(this.length, pos - this.startPos);
    if (n <= 0) return;
    this.head = (this.head + n) % this.capacity;
    this.length -= n;
    this.startPos += n;
  }

  /** Copies out bytes in [from, to) (clamped to what is held). */
  read(from: number, to = this.end): Uint8Array {
    const a = Math.max(from, this.startPos);
    const b = Math.min(to, this.end);
    if (b <= a) return new Uint8Array(0);
    const out = new Uint8Array(b - a);
    const i = (this.head + (a - this.startPos)) % this.capacity;
    const first = Math.min(out.length, this.capacity - i);
    out.set(this.buf.subarray(i, i + first), 0);
    if (first < out.length) out.set(this.buf.subarray(0, out.length - first), first);
    return out;
  }
}
