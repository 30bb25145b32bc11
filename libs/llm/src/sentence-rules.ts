// Character classes and abbreviation lists behind the sentence chunker. The approach (a period ends a sentence
// unless the word before it is a known abbreviation, decided with one character of lookahead) follows the classic
// rule-based splitters, e.g. Grefenstette & Tapanainen 1994 "What is a word, what is a sentence?" and the
// abbreviation handling of NLTK's Punkt (Kiss & Strunk 2006), without Punkt's trained model.

export const isSpace = (c: string): boolean => /^\s$/u.test(c);
export const isLower = (c: string): boolean => /^\p{Ll}$/u.test(c);
export const isUpper = (c: string): boolean => /^\p{Lu}$/u.test(c);
export const isTerminal = (c: string): boolean => c === '.' || c === '!' || c === '?' || c === '…';
/** Closing quotes and brackets that belong to the sentence they follow: `"Hi." Then` ends after the quote. */
export const isCloser = (c: string): boolean => `"'”’)]}»`.includes(c);
export const isOpener = (c: string): boolean => `"'“‘([{«`.includes(c);
export const isClausePunct = (c: string): boolean => c === ',' || c === ';' || c === ':';
export const isDash = (c: string): boolean => c === '—' || c === '–';
export const isSpeakable = (s: string): boolean => /[\p{L}\p{N}]/u.test(s);

/** Words before which a period never ends a sentence (titles, Latin abbreviations); compared lower-case, no dot. */
const NEVER_FINAL = new Set([
  'mr', 'mrs', 'ms', 'mx', 'dr', 'prof', 'st', 'mt', 'rev', 'fr', 'gen', 'col', 'capt', 'lt', 'sgt', 'gov', 'sen',
  'rep', 'hon', 'pres', 'messrs', 'e.g', 'i.e', 'vs', 'cf', 'viz', 'approx', 'ca', 'dept', 'tel', 'ext', 'fig',
]);

/** Abbreviations that can also end a sentence: the period ends one only when a capital letter follows. */
const MAYBE_FINAL = new Set([
  'etc', 'inc', 'ltd', 'co', 'corp', 'llc', 'jr', 'sr', 'no', 'nos', 'ft', 'oz', 'lb', 'lbs', 'min', 'hr', 'hrs',
  'sec', 'ave', 'blvd', 'rd', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  'mon', 'tue', 'tues', 'wed', 'thu', 'thurs', 'fri', 'sat', 'sun', 'al',
]);

export interface PeriodContext {
  /** The terminal run, e.g. `.`, `?!`, `...`, `…`. */
  run: string;
  /** The word before the run, without opening quotes/brackets. */
  word: string;
  /** The word starts the chunk and the chunk starts a line (where `1.` is a list marker). */
  wordStartsLine: boolean;
  /** The first non-space character after the run and its closers. */
  next: string;
}

/** Does this terminal run end a sentence? Decided from the word before it and one character of lookahead. */
export function endsSentence({ run, word, wordStartsLine, next }: PeriodContext): boolean {
  if (run.includes('!') || run.includes('?')) return !isLower(next);
  // An ellipsis is usually a pause inside a sentence ("Well... maybe"); it ends one only before a capital.
  if (run.length > 1 || run === '…') return isUpper(next);
  const w = word.toLowerCase();
  if (NEVER_FINAL.has(w)) return false;
  if (/^\p{Lu}$/u.test(word)) return false; // an initial: "J. R. R. Tolkien"
  if (wordStartsLine && /^\d{1,2}$/.test(word)) return false; // a numbered list item: "1. Open the app"
  // Known or dotted abbreviations ("U.S.", "a.m.", "Ph.D.") end a sentence only before a capital letter.
  if (MAYBE_FINAL.has(w) || /^(?:\p{L}\.)+\p{L}$/u.test(word)) return isUpper(next);
  return !isLower(next);
}

/** Leading list markers are not spoken: "- item", "* item", "• item". */
export function cleanChunk(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[-*•+▪◦]\s+/u, '');
}

export function countWords(text: string): number {
  let n = 0;
  for (const w of text.split(/\s+/)) if (isSpeakable(w)) n++;
  return n;
}
