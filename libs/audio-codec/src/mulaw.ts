/**
 * G.711 μ-law, bit-exact with the ITU-T G.191 Software Tool Library (`ulaw_compress` / `ulaw_expand` in
 * stl/g711/g711.c). The STL takes negative inputs by one's complement (~x), so -1 encodes to 0x7F; Sun's g711.c
 * (CPython audioop) uses two's complement and differs on 508 inputs. Decoders agree on all 256 codes.
 *
 * Both directions are table lookups (audio-performance.md §1: a 64K encode table read through a Uint16 view is the
 * fastest measured form, ≈5× alawmulaw per 20 ms frame). Tables are built on first use, not at import time.
 */
import { checkOut } from './errors';

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

/** The 64K encode table, indexed by the sample's 16 bits read as unsigned. */
function getEncodeTable(): Uint8Array {
  if (encodeTable === undefined) {
    const table = new Uint8Array(65536);
    for (let u = 0; u < 65536; u++) table[u] = compress(u >= 32768 ? u - 65536 : u);
    encodeTable = table;
  }
  return encodeTable;
}

function getDecodeTable(): Int16Array {
  if (decodeTable === undefined) {
    const table = new Int16Array(256);
    for (let c = 0; c < 256; c++) table[c] = expand(c);
    decodeTable = table;
  }
  return decodeTable;
}

/**
 * PCM16 → μ-law. With `out` nothing is allocated except, when `out` is longer than needed, the returned
 * subarray view; a too-small `out` throws AUDIO_BUFFER_TOO_SMALL (a RangeError).
 */
export function encodeMulaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const n = pcm.length;
  let dst: Uint8Array;
  if (out === undefined) dst = new Uint8Array(n);
  else {
    checkOut(out, n, 'encodeMulaw');
    dst = out;
  }
  const table = getEncodeTable();
  // `& 0xffff` turns the signed sample into the table index; V8 keeps this loop on int32 arithmetic.
  for (let i = 0; i < n; i++) dst[i] = table[pcm[i] & 0xffff];
  return dst.length === n ? dst : dst.subarray(0, n);
}

/** μ-law → PCM16. Same `out` rules as {@link encodeMulaw}. */
export function decodeMulaw(mulaw: Uint8Array, out?: Int16Array): Int16Array {
  const n = mulaw.length;
  let dst: Int16Array;
  if (out === undefined) dst = new Int16Array(n);
  else {
    checkOut(out, n, 'decodeMulaw');
    dst = out;
  }
  const table = getDecodeTable();
  for (let i = 0; i < n; i++) dst[i] = table[mulaw[i]];
  return dst.length === n ? dst : dst.subarray(0, n);
}
