import type { FakeDeepgramWord } from './messages';

/**
 * One step of a connection's script. A step fires when the audio bytes received on THIS connection reach
 * `atBytes` (0 fires on open). Times the fake reports follow the audio received (bytes / bytesPerSecond,
 * 8000 B/s for μ-law 8 kHz) and restart at 0 on every connection, like the real service.
 *
 * `text` as a string is split on spaces and spread evenly over the current segment: from the end of the last
 * final (0 at first) to `atBytes`. Give explicit words (seconds on this connection) to control times exactly.
 */
export type DeepgramScriptStep =
  | { readonly atBytes: number; readonly kind: 'speech_started'; readonly timestamp?: number }
  | { readonly atBytes: number; readonly kind: 'interim'; readonly text: string | readonly FakeDeepgramWord[] }
  | {
      readonly atBytes: number;
      readonly kind: 'final';
      readonly text: string | readonly FakeDeepgramWord[];
      /** Endpointing detected a pause (default true). */
      readonly speechFinal?: boolean;
    }
  | { readonly atBytes: number; readonly kind: 'utterance_end' }
  /** Close the socket with a code and reason, e.g. 1011 / 'NET-0000'. */
  | { readonly atBytes: number; readonly kind: 'close'; readonly code: number; readonly reason: string }
  /** Reset the TCP connection (RST, no close frame). */
  | { readonly atBytes: number; readonly kind: 'reset' }
  /** Send this text frame as is (e.g. malformed JSON). */
  | { readonly atBytes: number; readonly kind: 'raw'; readonly text: string }
  /** Stop answering anything on this connection (no results, no Metadata, no close). */
  | { readonly atBytes: number; readonly kind: 'hang' };

/** What the fake answers to an upgrade attempt instead of 101 (a fault), or undefined to accept it. */
export interface DeepgramUpgradeFault {
  readonly status: number;
  /** `dg-error` header and body text. */
  readonly message?: string;
  /** Seconds, sent as a `retry-after` header. */
  readonly retryAfter?: number;
}

export interface FakeDeepgramOptions {
  /** The key the fake accepts in `Authorization: Token <key>` (default 'test-key'). */
  readonly apiKey?: string;
  /** NET-0001: close 1011 when the client sends no frame for this long (default 10000 ms, like Deepgram). */
  readonly idleTimeoutMs?: number;
  /** Script per accepted connection (index 0, 1, ...). An array is used for every connection. */
  readonly script?: readonly DeepgramScriptStep[] | ((connectionIndex: number) => readonly DeepgramScriptStep[]);
  /** Called for each upgrade attempt with a valid key (index counts those attempts from 0). */
  readonly upgradeFault?: (attemptIndex: number) => DeepgramUpgradeFault | undefined;
  /** Bytes per second of the audio the client declares (default 8000: μ-law 8 kHz). */
  readonly bytesPerSecond?: number;
  /** Words for a `Finalize` when no interim is pending (default: empty transcript). */
  readonly finalizeText?: string;
}
