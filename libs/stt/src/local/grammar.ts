/**
 * Expected reply phrases → a JSGF grammar for PocketSphinx (JSGF 1.0, https://www.w3.org/TR/jsgf/). Phrases are
 * spelled the way the dictionary spells words: lower case, no punctuation, numbers in words. Every word must be in
 * the dictionary or the grammar does not load, so unknown words are dropped (the host asks the decoder which).
 */
import { createHash } from 'node:crypto';

/** A word, or a choice between word sequences (a number said as a quantity or digit by digit). */
export type GrammarItem = string | readonly (readonly string[])[];
export type GrammarPhrase = readonly GrammarItem[];

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: readonly (readonly [number, string])[] = [[1e9, 'billion'], [1e6, 'million'], [1e3, 'thousand']];

/** 0 ≤ n < 10^12 in words, cmudict spelling: 1234 → "one thousand two hundred thirty four". */
export function numberWords(n: number): string[] {
  if (n < 20) return [ONES[n]];
  if (n < 100) return n % 10 === 0 ? [TENS[n / 10]] : [TENS[Math.floor(n / 10)], ONES[n % 10]];
  if (n < 1000) return [ONES[Math.floor(n / 100)], 'hundred', ...(n % 100 === 0 ? [] : numberWords(n % 100))];
  for (const [size, name] of SCALES) {
    if (n >= size) {
      const rest = n % size;
      return [...numberWords(Math.floor(n / size)), name, ...(rest === 0 ? [] : numberWords(rest))];
    }
  }
  return [];
}

/** Digits → the ways a caller says them: a quantity, and (from three digits on) digit by digit. */
function numberItem(digits: string): GrammarItem {
  const byDigit = [...digits].map((d) => ONES[Number(d)]);
  if ((digits.length > 1 && digits.startsWith('0')) || digits.length > 12) return [byDigit];
  const asNumber = numberWords(Number(digits));
  return digits.length < 3 ? [asNumber] : [asNumber, byDigit];
}

/** One expected phrase → grammar items: lower case, `&`/`%` spelled, punctuation dropped, numbers in words. */
export function phraseItems(phrase: string): GrammarPhrase {
  const text = phrase
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/%/g, ' percent ')
    .replace(/(\d),(?=\d{3}\b)/g, '$1') // 1,250 → 1250
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^a-z0-9']+/g, ' ')
    .replace(/(\d)(?=[a-z])|([a-z])(?=\d)/g, '$1$2 '); // "2pm" → "2 pm"
  const items: GrammarItem[] = [];
  for (const raw of text.split(' ')) {
    const token = raw.replace(/^'+|'+$/g, '');
    if (!token) continue;
    items.push(/^\d+$/.test(token) ? numberItem(token) : token);
  }
  return items;
}

/** Every word the phrases use (to ask the dictionary about). */
export function grammarWords(phrases: readonly GrammarPhrase[]): string[] {
  const words = new Set<string>();
  for (const p of phrases) for (const item of p) for (const w of typeof item === 'string' ? [item] : item.flat()) words.add(w);
  return [...words];
}

/** Drops unknown words (and choices that use one); phrases left empty are dropped; duplicates removed. */
export function withoutUnknown(phrases: readonly GrammarPhrase[], unknown: ReadonlySet<string>): GrammarPhrase[] {
  const seen = new Set<string>();
  const out: GrammarPhrase[] = [];
  for (const p of phrases) {
    const kept: GrammarItem[] = [];
    for (const item of p) {
      if (typeof item === 'string') {
        if (!unknown.has(item)) kept.push(item);
        continue;
      }
      const choices = item.filter((seq) => seq.every((w) => !unknown.has(w)));
      if (choices.length > 0) kept.push(choices);
    }
    const key = render(kept);
    if (kept.length > 0 && !seen.has(key)) {
      seen.add(key);
      out.push(kept);
    }
  }
  return out;
}

function render(p: GrammarPhrase): string {
  return p.map((item) => (typeof item === 'string' ? item : item.length === 1 ? item[0].join(' ') : `( ${item.map((s) => s.join(' ')).join(' | ')} )`)).join(' ');
}

/** The JSGF text: one public rule, one alternative per phrase. */
export function buildJsgf(phrases: readonly GrammarPhrase[]): string {
  if (phrases.length === 0) throw new RangeError('buildJsgf: no phrases');
  return `#JSGF V1.0;\ngrammar expected;\npublic <utterance> = ${phrases.map(render).join('\n  | ')};\n`;
}

/** A stable short name for a phrase set (the decoder's search name and the cache key). */
export function phraseSetKey(phrases: readonly string[]): string {
  const h = createHash('sha1');
  for (const p of phrases) h.update(p).update('\n');
  return `g${h.digest('hex').slice(0, 20)}`;
}
