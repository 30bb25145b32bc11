/** μ-law encode/decode: this lib against alawmulaw, per 20 ms frame and in bulk (1M samples). */
import { mulaw as alawmulaw } from 'alawmulaw';
import { decodeMulaw, encodeMulaw } from '../src/index';
import { noise } from '../src/spec-helpers/signals';
import { cpuNanosPerCallBatched, interleaved, ratio } from './timing';

export interface MulawRow {
  readonly op: 'encode' | 'decode';
  readonly size: string;
  readonly implementation: string;
  readonly nsPerSample: number;
  readonly usPerFrame: number;
  readonly msamplesPerSec: number;
  /** Median of the per-round ratios alawmulaw time / this time, and their range. */
  readonly xAlawmulaw: number;
  readonly range: string;
}

/**
 * The common 64K-table encoder forms (`x & 0xffff` index, or a Uint16 view), kept here to show why the lib uses a
 * 16K table.
 */
function make64kEncoders(): { and: (p: Int16Array, o: Uint8Array) => Uint8Array; view: (p: Int16Array, o: Uint8Array) => Uint8Array } {
  const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
  const codes = encodeMulaw(all);
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[all[i] & 0xffff] = codes[i];
  return {
    and: (pcm, out) => {
      for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i] & 0xffff];
      return out;
    },
    view: (pcm, out) => {
      const u = new Uint16Array(pcm.buffer, pcm.byteOffset, pcm.length);
      for (let i = 0; i < u.length; i++) out[i] = table[u[i]];
      return out;
    },
  };
}

export function runMulawBench(rounds: number): MulawRow[] {
  const rows: MulawRow[] = [];
  const t64 = make64kEncoders();
  for (const [size, n, batch, minMs] of [
    ['20 ms frame (160)', 160, 2000, 60],
    ['bulk (1M samples)', 1 << 20, 1, 60],
  ] as const) {
    const pcm = noise(n, 42, 30000);
    const codes = encodeMulaw(pcm);
    const outBytes = new Uint8Array(n);
    const outPcm = new Int16Array(n);
    const measure = (fn: () => unknown) => (): number => cpuNanosPerCallBatched(fn, batch, minMs);
    const enc = interleaved(
      {
        'alawmulaw.encode (allocates)': measure(() => alawmulaw.encode(pcm)),
        'encodeMulaw, reused out (16K table)': measure(() => encodeMulaw(pcm, outBytes)),
        'encodeMulaw, allocates': measure(() => encodeMulaw(pcm)),
        '64K table & 0xffff, plain loop, reused out': measure(() => t64.and(pcm, outBytes)),
        '64K table via Uint16 view, plain loop, reused out': measure(() => t64.view(pcm, outBytes)),
      },
      rounds,
    );
    const dec = interleaved(
      {
        'alawmulaw.decode (allocates)': measure(() => alawmulaw.decode(codes)),
        'decodeMulaw, reused out (256 table)': measure(() => decodeMulaw(codes, outPcm)),
        'decodeMulaw, allocates': measure(() => decodeMulaw(codes)),
      },
      rounds,
    );
    for (const [op, results, peer] of [
      ['encode', enc, 'alawmulaw.encode (allocates)'],
      ['decode', dec, 'alawmulaw.decode (allocates)'],
    ] as const) {
      const base = results[peer];
      for (const [implementation, r] of Object.entries(results)) {
        const x = ratio(base, r);
        rows.push({
          op,
          size,
          implementation,
          nsPerSample: r.median / n,
          usPerFrame: ((r.median / n) * 160) / 1000,
          msamplesPerSec: 1000 / (r.median / n),
          xAlawmulaw: x.median,
          range: `${x.min.toFixed(2)}–${x.max.toFixed(2)}`,
        });
      }
    }
  }
  return rows;
}
