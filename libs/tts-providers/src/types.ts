import type { AudioChunk, AudioFormat } from '@voice/audio-codec';
import type { ContextBuffer } from '@voice/context-buffer';

/**
 * Where a sentence sits in a reply. `synthesize` is called once per sentence; providers with per-reply state
 * (a Cartesia `context_id`, an ElevenLabs socket) continue it across calls with the same `turnId`.
 */
export interface TurnContext {
  readonly turnId: string;
  readonly sentenceIndex?: number;
  /** True on the reply's last sentence: the provider ends its per-reply context after it. */
  readonly isLastSentence?: boolean;
  /**
   * Contextual TTS (CSM): the call's rolling buffer of recent turns. The CSM provider builds each request body from
   * it (and halves its window on a 413); every other provider ignores it. The caller owns the buffer's turns.
   */
  readonly conversation?: ContextBuffer;
}

export interface SynthesizeOptions {
  /** The only cancellation. An abort ends the iterator quietly (no throw) and cancels the request on the wire. */
  readonly signal: AbortSignal;
  readonly context?: TurnContext;
}

/**
 * Text → audio for one sentence. Every chunk is in `format`; an abort is not an error; a failure throws a
 * coded `TtsError` (see tts-error.ts).
 */
export interface TtsProvider {
  readonly name: string;
  readonly format: AudioFormat;
  synthesize(text: string, o: SynthesizeOptions): AsyncIterable<AudioChunk>;
}

/** A provider that holds sockets between calls; `close()` releases them (the next call would reopen). */
export interface ClosableTtsProvider extends TtsProvider {
  close(): Promise<void>;
}
