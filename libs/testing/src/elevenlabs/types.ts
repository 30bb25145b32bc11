import type { IncomingHttpHeaders } from 'node:http';

/**
 * What happens on one accepted socket (one `stream-input` session). Counts are of audio messages sent on it.
 * A fault that fires ends the session.
 */
export interface ElevenLabsSessionScript {
  /** Accept every message and never send audio (an open but silent socket). */
  readonly hang?: boolean;
  /** Close with this code after `afterChunks` audio messages; code 1006 drops TCP with no close frame. */
  readonly close?: { readonly code: number; readonly reason?: string; readonly afterChunks?: number };
  /** Send a truncated JSON text frame after this many audio messages, then nothing more. */
  readonly malformedAfterChunks?: number;
  /** Override the fake's pacing for this session. */
  readonly firstChunkDelayMs?: number;
  readonly chunkIntervalMs?: number;
}

/** What the fake answers to an upgrade attempt instead of 101. */
export interface ElevenLabsUpgradeFault {
  /** HTTP status of the refusal (ignored with `hang`). */
  readonly status: number;
  /** Never answer the upgrade request (a connect that hangs). */
  readonly hang?: boolean;
  /** `detail.status` of the error body, e.g. `too_many_concurrent_requests`. */
  readonly detailStatus?: string;
  readonly message?: string;
  /** Seconds, sent as a `retry-after` header. */
  readonly retryAfter?: number;
}

export interface FakeElevenLabsOptions {
  /** Key accepted in the `xi-api-key` header or the BOS message (default `xi_test_key`). */
  readonly apiKey?: string;
  /** Audio per non-space character (default 50 ms). */
  readonly msPerChar?: number;
  /** Audio per message (default 100 ms). */
  readonly chunkMs?: number;
  readonly firstChunkDelayMs?: number;
  readonly chunkIntervalMs?: number;
  /**
   * Close 1008 after this long without a text message. Default: the `inactivity_timeout` query (seconds), else
   * 20 s ("the connection will automatically close after 20 seconds of inactivity",
   * https://help.elevenlabs.io/hc/en-us/articles/28084868106513-How-can-I-keep-the-WebSocket-open).
   */
  readonly inactivityTimeoutMs?: number;
  /** Close 1008 on a missing BOS or a non-JSON frame, as the real API does with bad input (default true). */
  readonly strict?: boolean;
  /** Send `alignment` / `normalizedAlignment` with audio messages (default true). */
  readonly alignment?: boolean;
  /** Scripts for sessions 0, 1, ... (an array), or per session index. */
  readonly sessions?: readonly ElevenLabsSessionScript[] | ((sessionIndex: number) => ElevenLabsSessionScript | undefined);
  /** Called for each upgrade attempt with a valid path (index counts those attempts from 0). */
  readonly upgradeFault?: (attemptIndex: number) => ElevenLabsUpgradeFault | undefined;
}

/** One upgrade attempt: accepted (101), refused (the HTTP status), or left hanging (0). */
export interface ElevenLabsUpgradeRecord {
  readonly status: number;
  readonly atMs: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
}

/** One accepted `stream-input` socket as the tests see it. */
export interface FakeElevenLabsSession {
  readonly index: number;
  readonly voiceId: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Parsed frames from the client (raw text when not JSON). */
  readonly received: unknown[];
  /** Frames the fake sent. */
  readonly sent: unknown[];
  /** Texts that carried content (not BOS, keepalive or EOS), in order. */
  readonly texts: string[];
  /** `{"text":" "}` messages after BOS. */
  readonly keepalives: number;
  /** Messages with `flush: true`. */
  readonly flushes: number;
  /** Audio messages sent. */
  readonly audioMessages: number;
  /** True once `{"text":""}` arrived. */
  readonly eosReceived: boolean;
  /** Protocol violations on this session (missing BOS, text without trailing space, premature EOS, ...). */
  readonly violations: readonly string[];
  readonly closed: { code: number; reason: string; by: 'client' | 'server' } | undefined;
  /** Server-side close; code 1006 drops TCP with no close frame. */
  close(code?: number, reason?: string): void;
}
