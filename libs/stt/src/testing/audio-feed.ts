import { type AudioChunk, type AudioFormat, MULAW_8K } from '@voice/audio-codec';

/** A hand-fed caller-audio stream for tests: push chunks when the test decides, end or fail it. */
export interface AudioFeed extends AsyncIterable<AudioChunk> {
  push(data: Uint8Array, format?: AudioFormat): void;
  end(): void;
  fail(error: unknown): void;
  /** True once the consumer asked for the iterator to finish (return()). */
  readonly returned: boolean;
}

export function createAudioFeed(): AudioFeed {
  const items: AudioChunk[] = [];
  let waiter: ((r: IteratorResult<AudioChunk>) => void) | undefined;
  let failWaiter: ((e: unknown) => void) | undefined;
  let ended = false;
  let failure: { e: unknown } | undefined;
  let returned = false;
  const settle = (): void => {
    if (!waiter) return;
    const w = waiter;
    const f = failWaiter;
    if (items.length > 0) {
      waiter = failWaiter = undefined;
      w({ value: items.shift() as AudioChunk, done: false });
    } else if (failure) {
      waiter = failWaiter = undefined;
      f?.(failure.e);
    } else if (ended) {
      waiter = failWaiter = undefined;
      w({ value: undefined, done: true });
    }
  };
  return {
    get returned() {
      return returned;
    },
    push(data, format = MULAW_8K) {
      items.push({ data, format });
      settle();
    },
    end() {
      ended = true;
      settle();
    },
    fail(e) {
      failure = { e };
      settle();
    },
    [Symbol.asyncIterator]() {
      return {
        next: () =>
          new Promise<IteratorResult<AudioChunk>>((resolve, reject) => {
            waiter = resolve;
            failWaiter = reject;
            settle();
          }),
        return: async () => {
          returned = true;
          ended = true;
          if (waiter) {
            const w = waiter;
            waiter = failWaiter = undefined;
            w({ value: undefined, done: true });
          }
          return { value: undefined, done: true };
        },
      };
    },
  };
}

/** Yields `data` as 20 ms μ-law frames (160 bytes), optionally `pauseMs` apart. */
export async function* mulawFrames(data: Uint8Array, pauseMs = 0): AsyncGenerator<AudioChunk> {
  for (let i = 0; i < data.length; i += 160) {
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    yield { data: data.subarray(i, Math.min(data.length, i + 160)), format: MULAW_8K };
  }
}

/** Distinct, recognisable μ-law bytes (position-dependent), so tests can check which audio went where. */
export function patternAudio(bytes: number, seed = 0): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 7 + seed * 31 + (i >> 8)) & 0xff;
  return out;
}

/** Collects every event of an iterable (and the error it threw, if any). */
export async function collect<T>(it: AsyncIterable<T>): Promise<{ events: T[]; error: unknown }> {
  const events: T[] = [];
  try {
    for await (const e of it) events.push(e);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}
