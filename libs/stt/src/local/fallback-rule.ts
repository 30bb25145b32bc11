import type { DecodedWord } from './pocketsphinx-worker';

/** PocketSphinx's en-us model runs at 100 frames per second (feat.params `-frate`). */
export const FRAME_MS = 10;

export interface GrammarRule {
  /** Lowest mean acoustic score per 10 ms frame of the grammar's words. */
  readonly minScore: number;
  /** Lowest share of the VAD's speech that the grammar's words must cover. */
  readonly minCoverage: number;
}

export type GrammarVerdict =
  | { readonly accept: true; readonly score: number; readonly coverage: number }
  | { readonly accept: false; readonly reason: 'grammar-empty' | 'grammar-score' | 'grammar-coverage'; readonly score?: number; readonly coverage?: number };

/**
 * When to trust a grammar decode. A JSGF grammar is exact-phrase: speech outside it is either forced onto the nearest
 * phrase or comes back empty. A forced match fits the audio badly, or covers only part of the speech (a short phrase
 * aligned to one word, the rest absorbed as silence/noise). So the grammar's words are used when there are some, their
 * mean acoustic score per frame is at least `minScore`, and they cover at least `minCoverage` of the speech the VAD
 * heard; otherwise the language model decodes the utterance. The defaults and the numbers they come from are in the
 * README ("Grammar or language model").
 */
export function judgeGrammar(words: readonly DecodedWord[], speechMs: number, rule: GrammarRule): GrammarVerdict {
  if (words.length === 0) return { accept: false, reason: 'grammar-empty' };
  let frames = 0;
  let ascr = 0;
  for (const w of words) {
    frames += w.endFrame - w.startFrame + 1;
    ascr += w.ascr;
  }
  const score = ascr / Math.max(1, frames);
  const coverage = (frames * FRAME_MS) / Math.max(FRAME_MS, speechMs);
  if (coverage < rule.minCoverage) return { accept: false, reason: 'grammar-coverage', score, coverage };
  if (score < rule.minScore) return { accept: false, reason: 'grammar-score', score, coverage };
  return { accept: true, score, coverage };
}
