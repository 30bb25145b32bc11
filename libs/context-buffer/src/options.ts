import { ContextBufferError } from './errors';

/** Which part of an over-long utterance a snippet keeps. */
export type SnippetKeep = 'end' | 'start';

export interface ContextBufferOptions {
  /** Total context audio per request, in seconds (`CSM_MAX_CONTEXT_SECONDS`). 0 sends text only. Default 24. */
  maxContextSeconds?: number;
  /** Cap on one turn's snippet. Default derived from the window: clamp(window / 4, 3, 6), never above the window. */
  maxSnippetSeconds?: number;
  /** When the oldest turn that still fits has less room left than this, it leaves instead of being cut. Default 1. */
  minSnippetSeconds?: number;
  /** Budget for the whole JSON body of `POST /tts`, in bytes (UTF-8). Default 4 MiB. */
  maxBodyBytes?: number;
  /** Most context turns per request (csm-gpu accepts 64). Default 12. */
  maxTurns?: number;
  /** A turn's text keeps at most its last this many characters, from a word boundary. Default 300. */
  maxTurnChars?: number;
  /** CSM speaker id of the caller. Default 1. */
  callerSpeakerId?: number;
  /** CSM speaker id of the agent, and the default `speaker_id` of requests. Default 0. */
  agentSpeakerId?: number;
  /** Rate of the WAV snippets sent (CSM's Mimi codec runs at 24 kHz). Default 24000. */
  snippetSampleRate?: number;
  /** Keep the end (most recent speech) or the start of an utterance longer than the snippet cap. Default 'end'. */
  snippetKeep?: SnippetKeep;
}

export const CONTEXT_BUFFER_DEFAULTS = Object.freeze({
  maxContextSeconds: 24,
  minSnippetSeconds: 1,
  maxBodyBytes: 4 * 1024 * 1024,
  maxTurns: 12,
  maxTurnChars: 300,
  callerSpeakerId: 1,
  agentSpeakerId: 0,
  snippetSampleRate: 24_000,
  snippetKeep: 'end' as SnippetKeep,
});

export interface ResolvedOptions {
  readonly maxContextSeconds: number;
  readonly maxSnippetSeconds: number | undefined;
  readonly minSnippetSeconds: number;
  readonly maxBodyBytes: number;
  readonly maxTurns: number;
  readonly maxTurnChars: number;
  readonly callerSpeakerId: number;
  readonly agentSpeakerId: number;
  readonly snippetSampleRate: number;
  readonly snippetKeep: SnippetKeep;
}

/** csm-gpu's schema bounds speaker ids to 0..1000 (schemas.py `ContextTurn.speaker_id`). */
export const MAX_SPEAKER_ID = 1000;

export function checkNumber(name: string, value: number, min: number, integer = false, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = max === Infinity ? `>= ${min}` : `in ${min}..${max}`;
    throw new ContextBufferError('CONTEXT_INVALID_OPTION', `${name} must be ${integer ? 'an integer' : 'a finite number'} ${range}, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(o: ContextBufferOptions): ResolvedOptions {
  const d = CONTEXT_BUFFER_DEFAULTS;
  const keep = o.snippetKeep ?? d.snippetKeep;
  if (keep !== 'end' && keep !== 'start') {
    throw new ContextBufferError('CONTEXT_INVALID_OPTION', `snippetKeep must be 'end' or 'start', got '${String(keep)}'`);
  }
  return {
    maxContextSeconds: checkNumber('maxContextSeconds', o.maxContextSeconds ?? d.maxContextSeconds, 0),
    maxSnippetSeconds: o.maxSnippetSeconds === undefined ? undefined : checkNumber('maxSnippetSeconds', o.maxSnippetSeconds, 0),
    minSnippetSeconds: checkNumber('minSnippetSeconds', o.minSnippetSeconds ?? d.minSnippetSeconds, 0),
    maxBodyBytes: checkNumber('maxBodyBytes', o.maxBodyBytes ?? d.maxBodyBytes, 1, true),
    maxTurns: checkNumber('maxTurns', o.maxTurns ?? d.maxTurns, 0, true),
    maxTurnChars: checkNumber('maxTurnChars', o.maxTurnChars ?? d.maxTurnChars, 1, true),
    callerSpeakerId: checkNumber('callerSpeakerId', o.callerSpeakerId ?? d.callerSpeakerId, 0, true, MAX_SPEAKER_ID),
    agentSpeakerId: checkNumber('agentSpeakerId', o.agentSpeakerId ?? d.agentSpeakerId, 0, true, MAX_SPEAKER_ID),
    snippetSampleRate: checkNumber('snippetSampleRate', o.snippetSampleRate ?? d.snippetSampleRate, 1, true),
    snippetKeep: keep,
  };
}

/**
 * Per-snippet cap for a window, in seconds: the explicit option, or a quarter of the window held to 3–6 s, so the
 * default 24 s window holds four full snippets (two exchanges). Never more than the window itself.
 */
export function snippetCapSeconds(windowSeconds: number, explicit: number | undefined): number {
  const derived = explicit ?? Math.min(6, Math.max(3, windowSeconds / 4));
  return Math.min(derived, windowSeconds);
}

/** Whole samples in `seconds` at `rate`: caps are floors, so a capped snippet never exceeds its seconds. */
export function secondsToSamples(seconds: number, rate: number): number {
  // The epsilon absorbs binary-fraction error (0.1 s × 24000 = 2399.9999…) without rounding a real fraction up.
  return Math.floor(seconds * rate + 1e-9);
}
