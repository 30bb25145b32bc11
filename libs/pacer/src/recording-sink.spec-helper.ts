// Test-only helpers (excluded from the lib build by tsconfig.lib.json).
import type { MediaSink } from './options';

export type SentEvent = { kind: 'media'; at: number; bytes: Uint8Array } | { kind: 'mark'; at: number; name: string };

export interface RecordingSink extends MediaSink {
  readonly events: SentEvent[];
  mediaTimes(): number[];
  /** 'M' per frame, the mark's name per mark: an easy-to-read order of what crossed the sink. */
  order(): string[];
  mediaBytes(): Uint8Array;
}

export function recordingSink(clock: { now(): number }): RecordingSink {
  const events: SentEvent[] = [];
  return {
    events,
    sendMedia(frame) {
      // The pacer reuses its frame array: copy, as the sink contract says.
      events.push({ kind: 'media', at: clock.now(), bytes: frame.slice() });
    },
    sendMark(name) {
      events.push({ kind: 'mark', at: clock.now(), name });
    },
    mediaTimes: () => events.filter((e) => e.kind === 'media').map((e) => e.at),
    order: () => events.map((e) => (e.kind === 'media' ? 'M' : e.name)),
    mediaBytes: () => {
      const frames = events.flatMap((e) => (e.kind === 'media' ? [e.bytes] : []));
      const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
      let o = 0;
      for (const f of frames) {
        out.set(f, o);
        o += f.length;
      }
      return out;
    },
  };
}

/** Deterministic PRNG (mulberry32) so randomized tests replay exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `ms` of μ-law whose byte i is (seed + i) mod 251, so order and content can be checked after framing. */
export function audio(ms: number, seed = 0): Uint8Array {
  const out = new Uint8Array(ms * 8);
  for (let i = 0; i < out.length; i++) out[i] = (seed + i) % 251;
  return out;
}

/** Lets promise callbacks (whenBelow) run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
