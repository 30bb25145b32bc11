/**
 * G.711 μ-law, bit-exact with the ITU-T G.191 Software Tool Library (`ulaw_compress` / `ulaw_expand` in
 * stl/g711/g711.c). The STL takes negative inputs by one's complement (~x), so -1 encodes to 0x7F; Sun's g711.c
 * (CPython audioop) uses two's complement and differs on 508 inputs. Decoders agree on all 256 codes.
 *
 * Both directions are table lookups, built on first use (not at import time). The encoder only looks at
 * sample >> 2: the STL drops the 2 LSBs (14-bit input) and, for negatives, ~x >> 2 === ~(x >> 2), so a 16K-entry
 * table indexed by the arithmetic shift is exact, and 16 KiB stays in L1. The bench keeps the common 64K-table forms
 * for comparison (the Uint16-view form pays for creating a view on every call).
 */
import { checkOut as tooSmall } from './errors';

let encodeTable: Uint8Array | undefined;
let decodeTable: Int16Array | undefined;

/** Encodes one sample the G.191 way. Only used to fill the table. */
function compress(sample: number): number {
  // 14-bit magnitude (the STL drops the 2 LSBs) plus the μ-law bias of 33, clipped at 0x1FFF.
  const magnitude = Math.min((sample < 0 ? ~sample : sample) >> 2, 0x1fff - 33) + 33;
  // Segment 1..8: one more than the bit length of magnitude >> 6 (the STL counts it in a shift loop).
  const segment = 33 - Math.clz32(magnitude >> 6);
  const mantissa = (magnitude >> segment) & 0x0f;
  const code = ((8 - segment) << 4) | (0x0f - mantissa);
  return sample >= 0 ? code | 0x80 : code;
}

/** Decodes one code the G.191 way (sign * (2^(e+7) + step*mantissa + step/2 - 132)). */
function expand(code: number): number {
  const inverted = ~code & 0xff;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const step = 4 << (exponent + 1);
  const magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
  return code < 0x80 ? -magnitude : magnitude;
}

/** The 16K encode table, indexed by (sample >> 2) & 0x3fff. */
function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(16384);
  for (let q = -8192; q < 8192; q++) table[q & 0x3fff] = compress(q * 4);
  return (encodeTable = table);
}

function buildDecodeTable(): Int16Array {
  const table = new Int16Array(256);
  for (let c = 0; c < 256; c++) table[c] = expand(c);
  return (decodeTable = table);
}

/**
 * PCM16 → μ-law. With `out` nothing is allocated except, when `out` is longer than needed, the returned
 * subarray view; a too-small `out` throws AUDIO_BUFFER_TOO_SMALL (a RangeError).
 */
export function encodeMulaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const n = pcm.length;
  const dst = out ?? new Uint8Array(n);
  if (dst.length < n) tooSmall(dst, n, 'encodeMulaw');
  encodeLoop(pcm, dst, n, encodeTable ?? buildEncodeTable());
  return dst.length === n ? dst : dst.subarray(0, n);
}

/** μ-law → PCM16. Same `out` rules as {@link encodeMulaw}. */
export function decodeMulaw(mulaw: Uint8Array, out?: Int16Array): Int16Array {
  const n = mulaw.length;
  const dst = out ?? new Int16Array(n);
  if (dst.length < n) tooSmall(dst, n, 'decodeMulaw');
  decodeLoop(mulaw, dst, n, decodeTable ?? buildDecodeTable());
  return dst.length === n ? dst : dst.subarray(0, n);
}

// Measured on Node 20 for one 20 ms frame: unrolling by 4 made the encode loop ≈1.7× faster, and passing the
// table as a parameter instead of reading the module-level `let` in the loop another ≈1.4×.
function encodeLoop(pcm: Int16Array, dst: Uint8Array, n: number, t: Uint8Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    dst[i] = t[(pcm[i] >> 2) & 0x3fff];
    dst[i + 1] = t[(pcm[i + 1] >> 2) & 0x3fff];
    dst[i + 2] = t[(pcm[i + 2] >> 2) & 0x3fff];
    dst[i + 3] = t[(pcm[i + 3] >> 2) & 0x3fff];
  }
  for (; i < n; i++) dst[i] = t[(pcm[i] >> 2) & 0x3fff];
}

function decodeLoop(mulaw: Uint8Array, dst: Int16Array, n: number, t: Int16Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    dst[i] = t[mulaw[i]];
    dst[i + 1] = t[mulaw[i + 1]];
    dst[i + 2] = t[mulaw[i + 2]];
    dst[i + 3] = t[mulaw[i + 3]];
  }
  for (; i < n; i++) dst[i] = t[mulaw[i]];
}
