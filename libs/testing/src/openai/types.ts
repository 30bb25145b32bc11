import type { IncomingHttpHeaders } from 'node:http';

/** Which API surface a request came in on: `/v1/...` (OpenAI) or `/openai/v1/...` (Groq). */
export type FakeOpenAiVendor = 'openai' | 'groq';
export type FakeOpenAiEndpoint = 'chat' | 'speech' | 'transcriptions' | 'unknown';

/**
 * Faults every scripted response can carry. Counts are of body writes: SSE events for chat, audio chunks for
 * speech. A fault that fires ends the response; the rest of the script is ignored.
 */
export interface ResponseFaults {
  /** Answer with this HTTP status and an OpenAI-shaped error body instead of a normal response. */
  status?: number;
  /** Replaces the default `{ error: { message, type, code } }` body of `status`. */
  errorBody?: unknown;
  /** Value of the `retry-after` header (seconds, or an HTTP date), e.g. with `status: 429`. */
  retryAfter?: string;
  /** Extra response headers (e.g. `x-ratelimit-*`). */
  headers?: Readonly<Record<string, string>>;
  /** Wait this long before sending the status line and headers. */
  headersDelayMs?: number;
  /** Wait this long before each body write. */
  chunkDelayMs?: number;
  /** Never answer (`'before-headers'`), or stop writing after this many body writes and keep the socket open. */
  hang?: 'before-headers' | number;
  /** Destroy the socket after this many body writes (0: before the headers), as a crashed upstream would. */
  destroyAfterChunks?: number;
  /** End the response cleanly after this many body writes, as a proxy cutting a stream short would. */
  endAfterChunks?: number;
}

/** A tool call the fake model makes; `argumentChunks` defaults to `arguments` cut into a few fragments. */
export interface ScriptedToolCall {
  id?: string;
  name: string;
  arguments: string;
  argumentChunks?: readonly string[];
}

export interface ChatScript extends ResponseFaults {
  /** Text deltas in order. Default: the fake's `defaultReply` cut at spaces. */
  deltas?: readonly string[];
  toolCalls?: readonly ScriptedToolCall[];
  /** Default `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: string;
  /** Default: prompt ≈ request characters / 4, completion = number of deltas + argument fragments. */
  usage?: { promptTokens: number; completionTokens: number };
  /** Write a malformed `data:` line (truncated JSON) after this many SSE events, then end the response. */
  malformedAfterChunks?: number;
  /** Split every SSE event across two TCP writes, mid-JSON (a client must buffer until the blank line ending it). */
  splitEvents?: boolean;
}

export interface SpeechScript extends ResponseFaults {
  /** Exact bytes to return (raw s16le 24 kHz mono for `pcm`). Default: a tone. */
  audio?: Uint8Array;
  /** Tone length in ms when `audio` is not given. Default 500. */
  toneMs?: number;
  /** Tone frequency. Default 440 Hz. */
  toneHz?: number;
  /** How many body writes the audio is cut into. Default 5. */
  chunks?: number;
}

/** A file part of a multipart/form-data body. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A parsed multipart/form-data body. `fields` keeps the last value of each text field; `entries` keeps all. */
export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
  entries: Array<{ name: string; value: string | UploadedFile }>;
}

export interface TranscriptionScript extends ResponseFaults {
  /** The transcript, or a function of the uploaded file and the form fields. Default: the fake's `defaultTranscript`. */
  text?: string | ((file: UploadedFile, fields: Record<string, string>) => string);
}

export type Scripted<T> = T | ((request: RecordedRequest) => T);

/** What crossed the wire for one HTTP request. */
export interface RecordedRequest {
  readonly index: number;
  readonly method: string;
  /** Path without the query string, e.g. `/openai/v1/chat/completions`. */
  readonly path: string;
  readonly vendor: FakeOpenAiVendor;
  readonly endpoint: FakeOpenAiEndpoint;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** Parsed JSON body (chat, speech). */
  readonly json?: Record<string, unknown>;
  /** Parsed multipart body (transcriptions). */
  readonly form?: MultipartForm;
  /** Status that was (or will be) sent; undefined until the headers go out. */
  status?: number;
  /** Body writes sent so far (SSE events or audio chunks). */
  bodyWrites: number;
  /** `completed`: the response ended normally; `client-aborted`: the socket closed before the end. */
  outcome: 'pending' | 'completed' | 'client-aborted' | 'server-destroyed' | 'server-hung-up';
  /** True when the client closed the connection before the response ended. */
  clientAborted: boolean;
  /** Resolves when the request is over (completed, aborted or destroyed). */
  readonly settled: Promise<RecordedRequest>;
}
