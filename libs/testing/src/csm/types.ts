import type { IncomingHttpHeaders } from 'node:http';

/** `GET /health` states of services/csm-gpu: `loading` until the model is loaded and warmed up. */
export type CsmServiceStatus = 'loading' | 'ok' | 'error';

/** How a `POST /tts` was answered: chosen by the path and `Accept` (services/csm-gpu README, "POST /tts"). */
export type CsmResponseMode = 'wav' | 'ndjson' | 'json';

/** One scripted `POST /tts` (or `/tts/stream`) answer. Every field is optional; `{}` is a normal answer. */
export interface CsmScript {
  /** Answer with this HTTP status and the service's error body before any audio (413, 422, 429, 500, 503, 401...). */
  readonly status?: number;
  /** `error.code` of that body (default per status: 413 `context_too_long`, 503 `model_loading`, ...). */
  readonly code?: string;
  readonly message?: string;
  /** `error.retryable` (default: true for 429 and 503 `model_loading`/`overloaded`). */
  readonly retryable?: boolean;
  readonly details?: Readonly<Record<string, unknown>>;
  /** `Retry-After` header (default `2` for a retryable 503, as the service sends). */
  readonly retryAfter?: string;
  /** Extra wait before the first audio chunk (stream) or before the response (WAV/JSON): a slow first audio. */
  readonly firstAudioDelayMs?: number;
  /** Wait between two stream chunks (default: frames in the chunk × `frameMs`). */
  readonly chunkDelayMs?: number;
  /** Audio length instead of the one derived from the text (`msPerChar`); capped by `max_audio_length_ms`. */
  readonly durationMs?: number;
  /**
   * Never answer (`'before-headers'`), or stop after this many `audio` lines (stream) or body writes (WAV); the
   * socket stays open until the client goes away or the fake closes.
   */
  readonly hang?: 'before-headers' | number;
  /** Stream: after this many `audio` lines send `{"type":"error","error":{"code":"generation_failed",...}}` and end. */
  readonly errorAfterChunks?: number;
  /** Destroy the socket after this many `audio` lines (stream) or body writes (WAV) (0: before the headers). */
  readonly destroyAfterChunks?: number;
  /** Stream: after this many `audio` lines send a line that is not JSON, then end. */
  readonly malformedAfterChunks?: number;
  /** WAV/JSON: body writes the WAV is cut into (default 1, as uvicorn sends it). */
  readonly bodyWrites?: number;
  /** `stop_reason` of the end line / header (default `eos`). */
  readonly stopReason?: string;
}

/** A script, or a function of the request that returns one. */
export type CsmScripted = CsmScript | ((request: CsmRecordedRequest) => CsmScript);

export interface FakeCsmOptions {
  /**
   * When set, `Authorization: Bearer <apiKey>` is required (401 otherwise). services/csm-gpu has no auth of its
   * own; this plays the proxy in front of it (RunPod, an ingress). Default: none required.
   */
  readonly apiKey?: string;
  /** Initial `/health` state (default `ok`). */
  readonly status?: CsmServiceStatus;
  /** Stay `loading` for this long after start, then `ok` (model load + warm-up). */
  readonly loadingMs?: number;
  /** `/health` device (default `cpu`). */
  readonly device?: string;
  /** Audio per character of `prompt_text` (default 65 ms: speech runs about 65 ms/char). */
  readonly msPerChar?: number;
  /** Simulated generation time per 80 ms frame (default 0: as fast as the socket). */
  readonly frameMs?: number;
  /** Frames in the first stream chunk (default 2 = 160 ms, `CSM_FIRST_CHUNK_FRAMES`). */
  readonly firstChunkFrames?: number;
  /** Frames in every later chunk (default 4 = 320 ms, `CSM_CHUNK_FRAMES`). */
  readonly chunkFrames?: number;
  /** Tone frequency of the fake speech (default 440 Hz). */
  readonly toneHz?: number;
  /** 413 `body_too_large` above this (default 16 MiB, `CSM_MAX_BODY_BYTES`). */
  readonly maxBodyBytes?: number;
  /** 413 `context_audio_too_long` for one clip longer than this (default 30, `CSM_MAX_CLIP_SECONDS`). */
  readonly maxClipSeconds?: number;
  /** 413 `context_audio_too_long` for all clips together longer than this (default 120, `CSM_MAX_CONTEXT_SECONDS`). */
  readonly maxContextSeconds?: number;
  /** Script used when the queue (`fake.script(...)`) is empty. */
  readonly tts?: CsmScripted;
}

/** The parsed `POST /tts` body (services/csm-gpu `TtsRequest`), as the fake validated it. */
export interface CsmTtsBody {
  readonly speaker_id: number;
  readonly prompt_text: string;
  readonly context: ReadonlyArray<{ readonly speaker_id: number; readonly text: string; readonly audio?: string | null }>;
  readonly temperature?: number | null;
  readonly topk?: number | null;
  readonly max_audio_length_ms?: number | null;
  readonly seed?: number | null;
}

/** One context clip as the fake read it from its base64 WAV. */
export interface CsmContextClip {
  readonly index: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly seconds: number;
}

export type CsmRequestOutcome = 'pending' | 'completed' | 'client-aborted' | 'server-destroyed' | 'server-hung-up';

/** What crossed the wire for one HTTP request (any path). */
export interface CsmRecordedRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** The JSON body, when it was valid (422 otherwise). */
  body?: CsmTtsBody;
  /** Context clips with audio, in order. */
  clips: CsmContextClip[];
  /** Seconds of context audio in the body. */
  contextSeconds: number;
  mode?: CsmResponseMode;
  status?: number;
  /** `error.code` when an error body was sent (before or during the stream). */
  errorCode?: string;
  /** `audio` lines written (stream), or 1 when a WAV/JSON body carried audio. */
  audioChunks: number;
  /** Samples of audio sent. */
  samples: number;
  outcome: CsmRequestOutcome;
  /** Resolves with this record once the response is over (ended, aborted or destroyed). */
  readonly settled: Promise<CsmRecordedRequest>;
}
