/**
 * PCM16 byte helpers. PCM16 on the wire is signed 16-bit little-endian. An Int16Array view needs a byte offset
 * that is a multiple of 2 (new Int16Array(buffer, 1) throws), and a Node Buffer from the pool or a subarray of a
 * WebSocket frame often sits on an odd offset, so these helpers copy in that case instead of failing.
 */
import { AudioCodecError } from './errors';

/** Every host Node runs on today is little-endian; the check keeps a big-endian host correct, not fast. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Little-endian bytes → samples. A zero-copy view when `bytes.byteOffset` is even (on a little-endian host),
 * a copy otherwise. Throws AUDIO_BAD_LENGTH on an odd byte length (a dangling half sample).
 */
export function bytesToInt16(bytes: Uint8Array): Int16Array {
  if (bytes.length % 2 !== 0) {
    throw new AudioCodecError('AUDIO_BAD_LENGTH', `PCM16 needs an even byte length, got ${bytes.length}`);
  }
  const n = bytes.length >> 1;
  if (LITTLE_ENDIAN_HOST && bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, n);
  return copyBytesToInt16(bytes, 0, n, new Int16Array(n), 0);
}

/**
 * Copies `count` samples starting at `bytes[from]` into `out[at..]`; works on any alignment and any host.
 * @internal shared with the transcoder, which keeps a dangling byte between calls.
 */
export function copyBytesToInt16(bytes: Uint8Array, from: number, count: number, out: Int16Array, at: number): Int16Array {
  for (let i = 0; i < count; i++) {
    const b = from + 2 * i;
    out[at + i] = bytes[b] | (bytes[b + 1] << 8); // Int16Array stores the low 16 bits, which restores the sign
  }
  return out;
}

/** Samples → little-endian bytes: a view of the same memory (a byte-swapped copy on a big-endian host). */
export function int16ToBytes(pcm: Int16Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const out = new Uint8Array(pcm.byteLength);
  for (let i = 0; i < pcm.length; i++) {
    out[2 * i] = pcm[i] & 0xff;
    out[2 * i + 1] = (pcm[i] >> 8) & 0xff;
  }
  return out;
}

/** Joins byte chunks into one new array (an empty array for no parts). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
