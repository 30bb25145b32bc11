/**
 * The `POST /tts` body of services/csm-gpu (schemas.py `TtsRequest`):
 * `{"speaker_id","prompt_text","context":[{"speaker_id","text","audio"?}],"temperature"?,"topk"?,"max_audio_length_ms"?,"seed"?}`
 * with `audio` a base64 PCM16 mono WAV. Built by template strings from per-turn fragments whose byte sizes are
 * known before any audio is encoded, so the caps are applied on sizes and only the turns that are sent get encoded.
 */
import { ContextBufferError } from './errors';
import type { SnippetKeep } from './options';
import { MAX_SPEAKER_ID } from './options';
import type { StoredTurn } from './turn';
import { WAV_HEADER_BYTES, wavBase64 } from './wav-base64';

export interface TtsRequestOptions {
  /** The text to synthesize (`prompt_text`). Must not be empty. */
  promptText: string;
  /** `speaker_id` of the voice to synthesize. Default: the buffer's `agentSpeakerId`. */
  speakerId?: number;
  temperature?: number;
  topk?: number;
  maxAudioLengthMs?: number;
  /** csm-gpu extension: fixes the sampling noise so the same request gives the same audio. */
  seed?: number;
  /** Context audio window for this request only, in seconds. Default: the buffer's current `windowSeconds`. */
  windowSeconds?: number;
  /** Byte budget for this request only. Default: the buffer's `maxBodyBytes`. */
  maxBodyBytes?: number;
}

export interface TtsRequestBody {
  /** The JSON text to send as `application/json`. */
  readonly body: string;
  /** UTF-8 byte length of `body` (what `Content-Length` will say). */
  readonly bytes: number;
  /** Seconds of context audio in the body. */
  readonly contextSeconds: number;
  /** Context turns in the body. */
  readonly turns: number;
  /** Context turns that carry audio. */
  readonly audioTurns: number;
  /** Turns sent as text only because of the byte budget. */
  readonly strippedAudioTurns: number;
  /** Committed turns held by the buffer but left out (window, turn count or byte budget). */
  readonly omittedTurns: number;
  /** The window this body was built for. */
  readonly windowSeconds: number;
}

/** Caps for one body, resolved by the buffer. */
export interface BodyLimits {
  readonly windowSamples: number;
  readonly snippetSamples: number;
  readonly minSnippetSamples: number;
  readonly maxTurns: number;
  readonly maxBodyBytes: number;
  readonly rate: number;
  readonly keep: SnippetKeep;
  readonly windowSeconds: number;
}

interface Pick {
  readonly turn: StoredTurn;
  /** Samples of audio to send; 0 sends the turn as text only. */
  samples: number;
  /** Its audio was dropped for the byte budget. */
  stripped: boolean;
}

/** `,"audio":"` before the base64 and `"` after it. */
const AUDIO_KEY_BYTES = 11;

const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3);

function audioBytes(samples: number): number {
  return samples === 0 ? 0 : AUDIO_KEY_BYTES + base64Length(WAV_HEADER_BYTES + 2 * samples);
}

function head(t: StoredTurn): { json: string; bytes: number } {
  if (t.head === undefined) {
    const json = `{"speaker_id":${t.speakerId},"text":${JSON.stringify(t.text)}`;
    t.head = { json, bytes: Buffer.byteLength(json, 'utf8') };
  }
  return t.head;
}

/** The turns that fit the window, newest first while they fit, returned oldest first. */
function pickWindow(turns: readonly StoredTurn[], lim: BodyLimits): Pick[] {
  const picks: Pick[] = [];
  let used = 0;
  for (let i = turns.length - 1; i >= 0 && picks.length < lim.maxTurns; i--) {
    const t = turns[i];
    if (t.pending) continue;
    let n = lim.windowSamples === 0 ? 0 : Math.min(t.audio?.length ?? 0, lim.snippetSamples);
    if (used + n > lim.windowSamples) {
      // The oldest turn that reaches the window is cut to the room left (in whole samples), unless that room is
      // too short to be useful speech; then it leaves with everything older.
      const room = lim.windowSamples - used;
      if (room <= 0 || room < lim.minSnippetSamples) break;
      n = room;
      picks.push({ turn: t, samples: n, stripped: false });
      break;
    }
    picks.push({ turn: t, samples: n, stripped: false });
    used += n;
  }
  return picks.reverse();
}

function checkParam(name: string, v: number | undefined, min: number, integer: boolean, max = Infinity): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new ContextBufferError('CONTEXT_INVALID_REQUEST', `${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}${max === Infinity ? '' : ` and <= ${max}`}, got ${String(v)}`);
  }
}

function envelope(req: TtsRequestOptions, speakerId: number): { open: string; close: string } {
  if (typeof req.promptText !== 'string' || req.promptText.trim() === '') {
    throw new ContextBufferError('CONTEXT_INVALID_REQUEST', 'promptText must be a non-empty string');
  }
  checkParam('speakerId', speakerId, 0, true, MAX_SPEAKER_ID);
  checkParam('temperature', req.temperature, 0, false);
  checkParam('topk', req.topk, 1, true);
  checkParam('maxAudioLengthMs', req.maxAudioLengthMs, 1, true);
  checkParam('seed', req.seed, 0, true, 2 ** 32 - 1);
  let close = ']';
  if (req.temperature !== undefined) close += `,"temperature":${req.temperature}`;
  if (req.topk !== undefined) close += `,"topk":${req.topk}`;
  if (req.maxAudioLengthMs !== undefined) close += `,"max_audio_length_ms":${req.maxAudioLengthMs}`;
  if (req.seed !== undefined) close += `,"seed":${req.seed}`;
  close += '}';
  return { open: `{"speaker_id":${speakerId},"prompt_text":${JSON.stringify(req.promptText)},"context":[`, close };
}

function snippetBase64(t: StoredTurn, samples: number, rate: number, keep: SnippetKeep): string {
  const audio = t.audio as Int16Array;
  const from = keep === 'end' ? audio.length - samples : 0;
  if (t.wav === undefined || t.wav.from !== from || t.wav.length !== samples) {
    t.wav = { from, length: samples, b64: wavBase64(audio.subarray(from, from + samples), rate) };
  }
  return t.wav.b64;
}

/** Builds the body for `turns` (chronological, pending ones skipped) under `lim`. */
export function buildRequestBody(turns: readonly StoredTurn[], req: TtsRequestOptions, speakerId: number, lim: BodyLimits): TtsRequestBody {
  const env = envelope(req, speakerId);
  const picks = pickWindow(turns, lim);
  const frag = (p: Pick): number => head(p.turn).bytes + audioBytes(p.samples) + 1;

  let total = Buffer.byteLength(env.open, 'utf8') + Buffer.byteLength(env.close, 'utf8');
  for (const p of picks) total += frag(p);
  total += Math.max(0, picks.length - 1);

  // Over budget: the audio of the oldest turns goes first, then the oldest turns themselves.
  for (let i = 0; i < picks.length && total > lim.maxBodyBytes; i++) {
    if (picks[i].samples === 0) continue;
    total -= audioBytes(picks[i].samples);
    picks[i].samples = 0;
    picks[i].stripped = true;
  }
  while (total > lim.maxBodyBytes && picks.length > 0) {
    total -= frag(picks.shift() as Pick) + (picks.length > 0 ? 1 : 0);
  }
  if (total > lim.maxBodyBytes) {
    throw new ContextBufferError('CONTEXT_BODY_TOO_LARGE', `the request without context is ${total} bytes, over the ${lim.maxBodyBytes}-byte budget`);
  }

  const parts: string[] = [];
  let samples = 0;
  let audioTurns = 0;
  let stripped = 0;
  for (const p of picks) {
    if (p.stripped) stripped++;
    const h = head(p.turn).json;
    if (p.samples === 0) parts.push(`${h}}`);
    else {
      parts.push(`${h},"audio":"${snippetBase64(p.turn, p.samples, lim.rate, lim.keep)}"}`);
      samples += p.samples;
      audioTurns++;
    }
  }
  const body = env.open + parts.join(',') + env.close;
  let committed = 0;
  for (const t of turns) if (!t.pending) committed++;
  return {
    body,
    // Sizes were summed from the UTF-8 lengths of every piece; measuring the 1.5 MB string again costs ~0.3 ms.
    bytes: total,
    contextSeconds: samples / lim.rate,
    turns: picks.length,
    audioTurns,
    strippedAudioTurns: stripped,
    omittedTurns: committed - picks.length,
    windowSeconds: lim.windowSeconds,
  };
}
