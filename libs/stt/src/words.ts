import type { SttWord } from './types';

/**
 * Words of `text` spread evenly over [startMs, endMs]: an estimate for providers that return text without word
 * times (Whisper json, gpt-4o-transcribe). Good enough for counting words (barge-in) and ordering, not for
 * alignment.
 */
export function spreadWords(text: string, startMs: number, endMs: number): SttWord[] {
  const parts = text.split(/\s+/).filter((p) => p.length > 0);
  const step = parts.length === 0 ? 0 : (endMs - startMs) / parts.length;
  return parts.map((word, i) => ({
    word,
    startMs: Math.round((startMs + i * step) * 1000) / 1000,
    endMs: Math.round((startMs + (i + 1) * step) * 1000) / 1000,
  }));
}
