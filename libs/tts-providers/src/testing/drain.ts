import type { AudioChunk } from '@voice/audio-codec';
import { TtsError } from '../tts-error';

// Stream readers shared by the contract suite and the provider specs (internal: not exported from ./testing).

/** Reads a synthesis stream to its end; `each` sees every chunk as it arrives (a spec's per-chunk checks). */
export async function drain(it: AsyncIterable<AudioChunk>, each?: (chunk: AudioChunk) => void): Promise<AudioChunk[]> {
  const out: AudioChunk[] = [];
  for await (const c of it) {
    each?.(c);
    out.push(c);
  }
  return out;
}

/** What the stream threw; undefined when it ended normally. */
export async function thrownBy(it: AsyncIterable<AudioChunk>): Promise<unknown> {
  try {
    await drain(it);
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The TtsError the stream threw; anything else thrown is rethrown, and a normal end is an error. */
export async function ttsErrorOf(it: AsyncIterable<AudioChunk>, each?: (chunk: AudioChunk) => void): Promise<TtsError> {
  try {
    await drain(it, each);
  } catch (e) {
    if (e instanceof TtsError) return e;
    throw e;
  }
  throw new Error('expected a TtsError');
}

/** The audio bytes of `chunks`, in order. */
export const joined = (chunks: readonly AudioChunk[]): Buffer => Buffer.concat(chunks.map((c) => c.data));
