import type { IncomingHttpHeaders } from 'node:http';

/**
 * What happens to one context (one `context_id`), applied to contexts in the order they first appear.
 * Counts are of `chunk` messages sent on that context. A fault that fires ends the context on the fake's side.
 */
export interface CartesiaContextScript {
  /** Send an error frame (`{"type":"error","done":true,"status_code":...}`) after this many chunks (default 0). */
  readonly error?: {
    readonly status: number;
    /** Default by status: 429 `concurrency_limited`, 400 `invalid_request`, 5xx `internal_error`. */
    readonly errorCode?: string;
    readonly title?: string;
    readonly message?: string;
    readonly afterChunks?: number;
  };
  /** Accept the inputs and never answer (no chunk, no done): an open but silent socket. */
  readonly hang?: boolean;
  /** Close the whole socket with this code after `afterChunks` chunks (a crash mid-context). */
  readonly close?: { readonly code: number; readonly reason?: string; readonly afterChunks?: number };
  /** Send a malformed (truncated JSON) text frame after this many chunks, then nothing more on this context. */
  readonly malformedAfterChunks?: number;
  /** Override the fake's pacing for this context. */
  readonly firstChunkDelayMs?: number;
  readonly chunkIntervalMs?: number;
}

/** What the fake answers to an upgrade attempt instead of 101. */
export interface CartesiaUpgradeFault {
  /** HTTP status of the refusal (ignored with `hang`). */
  readonly status: number;
  /** Complete the TLS handshake, then never answer the upgrade request (a connect that hangs). */
  readonly hang?: boolean;
  readonly message?: string;
  /** Seconds, sent as a `retry-after` header. */
  readonly retryAfter?: number;
}

export interface FakeCartesiaOptions {
  /** Key accepted in `Authorization: Bearer`, `X-API-Key` or `?api_key=` (default `sk_test_cartesia`). */
  readonly apiKey?: string;
  /** Reject upgrades that carry no `Cartesia-Version` header / `cartesia_version` query with 400 (default true). */
  readonly requireVersion?: boolean;
  /** Audio per non-space transcript character (default 50 ms). */
  readonly msPerChar?: number;
  /** Audio per `chunk` message (default 100 ms). */
  readonly chunkMs?: number;
  /** Wait before the first chunk of each generation (default 0). */
  readonly firstChunkDelayMs?: number;
  /** Wait between chunk messages (default 0). */
  readonly chunkIntervalMs?: number;
  /**
   * Cap on the server-side text buffering delay (`max_buffer_delay_ms`, default 3000 on the real API) so tests of
   * clients that rely on it stay fast. Default: no cap.
   */
  readonly maxBufferDelayCapMs?: number;
  /** Close a socket that received nothing for this long (default 300000: "We close idle WebSocket connections after 5 minutes"). */
  readonly idleCloseMs?: number;
  /** Error frames carry `context_id` (default true; the 2026-03-01 docs do not confirm the field for WS errors). */
  readonly errorIncludesContextId?: boolean;
  /** Scripts for contexts 0, 1, ... in order of first appearance (an array), or per context index. */
  readonly contexts?: readonly CartesiaContextScript[] | ((contextIndex: number, contextId: string) => CartesiaContextScript | undefined);
  /** Called for each upgrade attempt with a valid key and version (index counts those attempts from 0). */
  readonly upgradeFault?: (attemptIndex: number) => CartesiaUpgradeFault | undefined;
}

/** One upgrade attempt: accepted (101), refused (the HTTP status), or left hanging (0). */
export interface CartesiaUpgradeRecord {
  readonly status: number;
  /** Milliseconds since the fake started. */
  readonly atMs: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
}

/** One frame that crossed a socket. `data` is the parsed JSON, or the raw text when it did not parse. */
export interface CartesiaFrameRecord {
  readonly connection: number;
  readonly direction: 'in' | 'out';
  readonly atMs: number;
  readonly data: unknown;
}

/** How a context ended on the fake's side. */
export type CartesiaContextOutcome = 'open' | 'done' | 'error' | 'cancelled-before-start' | 'cancelled-while-generating' | 'hung' | 'socket-closed';

export interface CartesiaContextRecord {
  readonly contextId: string;
  readonly connection: number;
  /** Every input frame for this context (generation requests, flushes, cancels), in order. */
  readonly inputs: unknown[];
  /** Chunk messages sent on this context, including those sent after a cancel. */
  chunksSent: number;
  /** Chunks sent after the client asked to cancel (Cartesia finishes what it already started). */
  chunksAfterCancel: number;
  cancelled: boolean;
  outcome: CartesiaContextOutcome;
}
