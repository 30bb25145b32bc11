import type { AudioChunk, AudioFormat } from '@voice/audio-codec';
import type { SttError } from './errors';

/** A recognised word. Times are ms of caller audio since the stream start, offset-corrected across reconnects. */
export interface SttWord {
  readonly word: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence?: number;
}

/**
 * What a provider reports while it listens. `error` events are recoverable incidents (a reconnect, dropped
 * audio, a lost segment); a fatal failure ends the iterator by throwing an {@link SttError} instead.
 */
export type SttEvent =
  | { readonly type: 'speech_started'; readonly atMs?: number }
  | { readonly type: 'interim'; readonly text: string; readonly words: SttWord[] }
  | { readonly type: 'final'; readonly text: string; readonly words: SttWord[]; readonly speechFinal: boolean }
  | { readonly type: 'utterance_end'; readonly lastWordEndMs?: number }
  | { readonly type: 'error'; readonly error: SttError };

export interface TranscribeOptions {
  /** The only cancellation. Aborting ends the iterator quietly and closes the upstream socket/request. */
  readonly signal: AbortSignal;
}

export interface SttProvider {
  readonly name: string;
  /** The audio format `transcribe` expects; chunks in any other format are rejected with `STT_BAD_INPUT`. */
  readonly inputFormat: AudioFormat;
  transcribe(audio: AsyncIterable<AudioChunk>, o: TranscribeOptions): AsyncIterable<SttEvent>;
}
