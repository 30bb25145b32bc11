import { readWavInfo } from './fake-csm-audio';
import type { CsmContextClip, CsmTtsBody } from './types';

/** An error the service answers before any audio: `{"error": {code, message, retryable, details?}}`. */
export interface CsmHttpError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryable?: boolean;
  readonly details?: Readonly<Record<string, unknown>>;
}

interface FieldError {
  readonly loc: Array<string | number>;
  readonly msg: string;
  readonly type: string;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The field rules of csm_gpu/schemas.py (`TtsRequest`, `ContextTurn`); unknown fields are ignored, as there. */
function schemaErrors(v: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const need = (ok: boolean, loc: Array<string | number>, msg: string): void => {
    if (!ok) errors.push({ loc: ['body', ...loc], msg, type: 'value_error' });
  };
  const optional = (key: string, ok: (x: unknown) => boolean, msg: string): void => {
    const x = v[key];
    if (x !== undefined && x !== null) need(ok(x), [key], msg);
  };
  need(isInt(v['speaker_id']) && (v['speaker_id'] as number) >= 0 && (v['speaker_id'] as number) <= 1000, ['speaker_id'], 'an integer 0..1000 is required');
  const text = v['prompt_text'];
  need(typeof text === 'string' && text.length >= 1 && text.length <= 4000, ['prompt_text'], 'a string of 1..4000 characters is required');
  const context = v['context'];
  if (context !== undefined) {
    if (!Array.isArray(context) || context.length > 64) need(false, ['context'], 'a list of at most 64 turns');
    else {
      context.forEach((t: unknown, i) => {
        const turn = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
        const sid = turn['speaker_id'];
        need(isInt(sid) && sid >= 0 && sid <= 1000, ['context', i, 'speaker_id'], 'an integer 0..1000 is required');
        need(typeof turn['text'] === 'string' && (turn['text'] as string).length <= 4000, ['context', i, 'text'], 'a string of at most 4000 characters');
        const audio = turn['audio'];
        need(audio === undefined || audio === null || typeof audio === 'string', ['context', i, 'audio'], 'a base64 string or null');
      });
    }
  }
  optional('temperature', (x) => typeof x === 'number' && x >= 0 && x <= 2, 'a number 0..2');
  optional('topk', (x) => isInt(x) && x >= 1 && x <= 100_000, 'an integer 1..100000');
  optional('max_audio_length_ms', (x) => isInt(x) && x > 0, 'an integer > 0');
  optional('seed', (x) => isInt(x) && x >= 0 && x <= 2 ** 32 - 1, 'an integer 0..2^32-1');
  return errors;
}

/** Parses and validates the body: a 422 `invalid_request` (details.errors without the input) when it does not fit. */
export function parseTtsBody(raw: Buffer): CsmTtsBody | CsmHttpError {
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    v = undefined;
  }
  const errors =
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? schemaErrors(v as Record<string, unknown>)
      : [{ loc: ['body'], msg: 'a JSON object is required', type: 'json_invalid' }];
  if (errors.length > 0) return { status: 422, code: 'invalid_request', message: 'request body does not match the /tts schema', details: { errors } };
  const body = v as CsmTtsBody;
  return { ...body, context: body.context ?? [] };
}

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads every context clip (base64 PCM WAV) and applies the seconds caps, as `build_prompt` does: an unreadable
 * clip is 422 `invalid_request`, a long one 413 `context_audio_too_long` (`details.clip_index`, `seconds`).
 */
export function readContextClips(body: CsmTtsBody, caps: { maxClipSeconds: number; maxContextSeconds: number }): CsmContextClip[] | CsmHttpError {
  const clips: CsmContextClip[] = [];
  let total = 0;
  for (const [index, turn] of body.context.entries()) {
    if (typeof turn.audio !== 'string') continue;
    const info = STRICT_BASE64.test(turn.audio) && turn.audio.length % 4 === 0 ? readWavInfo(Buffer.from(turn.audio, 'base64')) : undefined;
    if (!info) return { status: 422, code: 'invalid_request', message: `context[${index}].audio is not a readable base64 PCM WAV`, details: { clip_index: index } };
    if (info.seconds > caps.maxClipSeconds) {
      return { status: 413, code: 'context_audio_too_long', message: `context clip ${index} is ${info.seconds.toFixed(2)} s; the cap is ${caps.maxClipSeconds} s`, details: { clip_index: index, seconds: info.seconds } };
    }
    total += info.seconds;
    clips.push({ index, ...info });
  }
  if (total > caps.maxContextSeconds) {
    return { status: 413, code: 'context_audio_too_long', message: `context audio is ${total.toFixed(2)} s; the cap is ${caps.maxContextSeconds} s`, details: { seconds: total } };
  }
  return clips;
}

/** Default `error.code` for a scripted status, as the service (or a proxy in front of it) would send. */
export function defaultErrorCode(status: number): string {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 413:
      return 'context_too_long';
    case 422:
      return 'invalid_request';
    case 429:
      return 'rate_limited';
    case 503:
      return 'model_loading';
    default:
      return status >= 500 ? 'generation_failed' : 'error';
  }
}
