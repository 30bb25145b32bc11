import type { SttEvent, SttWord } from '../types';

/** What one server message means for the session. */
export type DeepgramMessage =
  /** `finalEndSec`: for is_final Results, where the finalized audio ends on this connection (start + duration). */
  | { readonly kind: 'event'; readonly event: SttEvent | undefined; readonly finalEndSec?: number }
  | { readonly kind: 'metadata' }
  | { readonly kind: 'ignored'; readonly type: string }
  | { readonly kind: 'invalid'; readonly detail: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Seconds on this connection → ms of caller audio, to µs precision (drops float noise such as 333.33299999). */
const ms = (offsetMs: number, sec: number): number => Math.round((offsetMs + sec * 1000) * 1000) / 1000;

function words(raw: unknown, offsetMs: number): SttWord[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: SttWord[] = [];
  for (const w of raw) {
    if (!isObj(w) || typeof w['word'] !== 'string' || !num(w['start']) || !num(w['end'])) return undefined;
    const punctuated = w['punctuated_word'];
    out.push({
      word: typeof punctuated === 'string' ? punctuated : w['word'],
      startMs: ms(offsetMs, w['start']),
      endMs: ms(offsetMs, w['end']),
      ...(num(w['confidence']) ? { confidence: w['confidence'] } : {}),
    });
  }
  return out;
}

/**
 * Maps a message the SDK delivered (parsed JSON, or the raw string when it was not JSON) to an SttEvent. Times are
 * seconds of the audio sent on this connection (https://developers.deepgram.com/docs/live-streaming-audio); `offsetMs`
 * is where that connection's audio starts in caller audio, so times stay monotonic across reconnects.
 */
export function mapDeepgramMessage(m: unknown, offsetMs: number): DeepgramMessage {
  if (!isObj(m)) return { kind: 'invalid', detail: typeof m === 'string' ? 'non-JSON text frame' : 'non-object message' };
  switch (m['type']) {
    case 'Results': {
      const alt = isObj(m['channel']) && Array.isArray(m['channel']['alternatives']) ? m['channel']['alternatives'][0] : undefined;
      const ws = isObj(alt) ? words(alt['words'], offsetMs) : undefined;
      if (!isObj(alt) || typeof alt['transcript'] !== 'string' || !ws || !num(m['start']) || !num(m['duration'])) {
        return { kind: 'invalid', detail: 'Results without channel.alternatives[0] transcript/words/start/duration' };
      }
      const text = alt['transcript'];
      if (m['is_final'] !== true) {
        // Interims of silence are empty; they carry nothing a consumer can use.
        return { kind: 'event', event: text === '' ? undefined : { type: 'interim', text, words: ws } };
      }
      const speechFinal = m['speech_final'] === true;
      const finalEndSec = m['start'] + m['duration'];
      // An empty final still matters when it carries speech_final: it ends the utterance.
      const event: SttEvent | undefined = text === '' && !speechFinal ? undefined : { type: 'final', text, words: ws, speechFinal };
      return { kind: 'event', event, finalEndSec };
    }
    case 'SpeechStarted':
      return { kind: 'event', event: { type: 'speech_started', ...(num(m['timestamp']) ? { atMs: ms(offsetMs, m['timestamp']) } : {}) } };
    case 'UtteranceEnd':
      return {
        kind: 'event',
        event: { type: 'utterance_end', ...(num(m['last_word_end']) ? { lastWordEndMs: ms(offsetMs, m['last_word_end']) } : {}) },
      };
    case 'Metadata':
      return { kind: 'metadata' };
    default:
      return typeof m['type'] === 'string' ? { kind: 'ignored', type: m['type'] } : { kind: 'invalid', detail: 'message without type' };
  }
}
