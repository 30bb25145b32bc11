import Groq from 'groq-sdk';
import OpenAI from 'openai';
import type { HeaderSource } from './retry';
import type { ToolCallFragment } from './tool-call-assembler';

export type LlmVendor = 'openai' | 'groq';

// Explicit defaults: left undefined, both SDKs would read OPENAI_BASE_URL / GROQ_BASE_URL (and OpenAI its org and
// project ids) from the environment, and only apps may read the environment.
export const DEFAULT_BASE_URLS: Record<LlmVendor, string> = {
  openai: 'https://api.openai.com/v1',
  groq: 'https://api.groq.com',
};

export type WireMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
    }
  | { role: 'tool'; content: string; tool_call_id: string };

export interface WireTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export interface WireRequest {
  model: string;
  messages: WireMessage[];
  tools?: WireTool[];
  temperature?: number;
  max_completion_tokens?: number;
}

interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** The part of a `chat.completion.chunk` this lib reads; both SDKs' chunk types fit it. */
export interface WireChunk {
  choices: Array<{
    delta?: { content?: string | null; tool_calls?: ToolCallFragment[] | null } | null;
    finish_reason?: string | null;
  }>;
  usage?: WireUsage | null;
  /** Groq puts usage here on the last chunk (groq-sdk `ChatCompletionChunk.x_groq`). */
  x_groq?: { usage?: WireUsage | null } | null;
}

/** An SDK failure, described without SDK types. */
export type SdkFailure =
  | { kind: 'abort' }
  | { kind: 'timeout' }
  | { kind: 'connection' }
  | { kind: 'status'; status: number; headers: HeaderSource; message: string }
  | { kind: 'stream-error'; message: string }
  | { kind: 'parse' }
  | { kind: 'unknown' };

export interface ChatClient {
  open(request: WireRequest, signal: AbortSignal): Promise<AsyncIterable<WireChunk>>;
  describe(err: unknown): SdkFailure;
}

export interface ChatClientOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
}

type ErrorClasses = {
  APIError: new (...a: never[]) => Error & { status?: number; headers?: unknown };
  APIUserAbortError: new (...a: never[]) => Error;
  APIConnectionError: new (...a: never[]) => Error;
  APIConnectionTimeoutError: new (...a: never[]) => Error;
};

function describeWith(classes: ErrorClasses, err: unknown): SdkFailure {
  // Order matters: abort and connection errors are APIError subclasses in both SDKs (core/error.d.ts).
  if (err instanceof classes.APIUserAbortError) return { kind: 'abort' };
  if (err instanceof classes.APIConnectionTimeoutError) return { kind: 'timeout' };
  if (err instanceof classes.APIConnectionError) return { kind: 'connection' };
  if (err instanceof classes.APIError) {
    const message = err.message;
    if (typeof err.status === 'number') return { kind: 'status', status: err.status, headers: err.headers as HeaderSource, message };
    // An `error` object inside an SSE data line (core/streaming.js throws APIError without a status).
    return { kind: 'stream-error', message };
  }
  // By name, not instanceof: fetch (undici) runs in Node's own realm, so under Jest its errors are not instances of
  // the test realm's TypeError.
  const errName = (err as { name?: unknown } | null)?.name;
  // JSON.parse of a malformed `data:` line (core/streaming.js rethrows the SyntaxError).
  if (errName === 'SyntaxError') return { kind: 'parse' };
  // undici reports a socket closed mid-body as `TypeError: terminated`.
  if (errName === 'TypeError') return { kind: 'connection' };
  return { kind: 'unknown' };
}

/**
 * Both SDKs run with `maxRetries: 0`: retries belong to the provider, which must never retry after text went out.
 * `timeout` bounds the wait for response headers (fetchWithTimeout clears it once fetch resolves); it is a backstop:
 * the provider keeps its own deadlines (attempt.ts). `logLevel: 'off'` keeps the SDKs from printing malformed lines to the console.
 */
export function createChatClient(vendor: LlmVendor, o: ChatClientOptions): ChatClient {
  if (vendor === 'groq') {
    const groq = new Groq({ apiKey: o.apiKey, baseURL: o.baseUrl, maxRetries: 0, timeout: o.timeoutMs, logLevel: 'off' });
    return {
      open: async (request, signal) => groq.chat.completions.create({ ...request, stream: true }, { signal }),
      describe: (err) => describeWith(Groq as unknown as ErrorClasses, err),
    };
  }
  const openai = new OpenAI({
    apiKey: o.apiKey,
    baseURL: o.baseUrl,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: o.timeoutMs,
    logLevel: 'off',
  });
  return {
    open: async (request, signal) =>
      openai.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }, { signal }),
    describe: (err) => describeWith(OpenAI as unknown as ErrorClasses, err),
  };
}
