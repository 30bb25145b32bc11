/**
 * Word-level text handling shared by the matcher and the phrase generator: transcript normalisation and numbers
 * as words (both directions). Everything is lower-case ASCII words separated by single spaces.
 */

// Spoken contractions as transcribers write them; expanded so `that's all` matches the example `that is all`.
const CONTRACTIONS: Readonly<Record<string, string>> = {
  "that's": 'that is', "it's": 'it is', "what's": 'what is', "i'm": 'i am', "i'd": 'i would', "i'll": 'i will',
  "don't": 'do not', "doesn't": 'does not', "didn't": 'did not', "isn't": 'is not', "can't": 'can not',
  "won't": 'will not', "let's": 'let us', "there's": 'there is', "you're": 'you are', "we're": 'we are',
  "that'll": 'that will', "name's": 'name is', "i've": 'i have', "wasn't": 'was not',
};

/**
 * Lower-cases, expands contractions, turns every character that is not a letter, digit or apostrophe into a space
 * and drops remaining apostrophes (`O'Brien` → `obrien`). `Two lattes, please!` → `two lattes please`.
 */
export function normalizeText(text: string): string {
  const words = text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[^a-z0-9']+/g, ' ')
    .split(' ')
    .filter((w) => w.length > 0)
    .map((w) => CONTRACTIONS[w] ?? w.replace(/'/g, ''))
    .filter((w) => w.length > 0);
  return words.join(' ');
}

export function tokenize(text: string): string[] {
  const n = normalizeText(text);
  return n === '' ? [] : n.split(' ');
}

const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0 ≤ n < 1,000,000, integer, in US words without "and": 125 → `one hundred twenty five`. */
export function numberToWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 1_000_000) throw new RangeError(`numberToWords: ${n} is out of range`);
  if (n < 20) return UNITS[n] as string;
  if (n < 100) return n % 10 === 0 ? (TENS[n / 10] as string) : `${TENS[Math.floor(n / 10)]} ${UNITS[n % 10]}`;
  if (n < 1000) {
    const rest = n % 100;
    return `${UNITS[Math.floor(n / 100)]} hundred${rest ? ` ${numberToWords(rest)}` : ''}`;
  }
  const rest = n % 1000;
  return `${numberToWords(Math.floor(n / 1000))} thousand${rest ? ` ${numberToWords(rest)}` : ''}`;
}

const WORD_VALUES: ReadonlyMap<string, number> = new Map([
  ...UNITS.map((w, i) => [w, i] as const),
  ...TENS.flatMap((w, i) => (w ? [[w, i * 10] as const] : [])),
]);

/**
 * Reads a number written as digits or words (`12`, `twelve`, `twenty one`) starting at `tokens[at]`.
 * Returns the value and how many tokens it used, or undefined. Words go up to ninety nine; callers check ranges.
 */
export function readNumber(tokens: readonly string[], at: number): { value: number; length: number } | undefined {
  const t = tokens[at];
  if (t === undefined) return undefined;
  if (/^\d{1,6}$/.test(t)) return { value: Number(t), length: 1 };
  const v = WORD_VALUES.get(t);
  if (v === undefined) return undefined;
  if (v >= 20) {
    const next = tokens[at + 1];
    const u = next === undefined ? undefined : WORD_VALUES.get(next);
    if (u !== undefined && u >= 1 && u <= 9) return { value: v + u, length: 2 };
  }
  return { value: v, length: 1 };
}

/** `cents` as words for TTS: 1250 → `twelve dollars and fifty cents`, 100 → `one dollar`, 5 → `five cents`. */
export function spokenMoney(cents: number): string {
  if (!Number.isInteger(cents) || cents < 0) throw new RangeError(`spokenMoney: ${cents} is not a whole number of cents`);
  const dollars = Math.floor(cents / 100);
  const rest = cents % 100;
  const d = `${numberToWords(dollars)} ${dollars === 1 ? 'dollar' : 'dollars'}`;
  const c = `${numberToWords(rest)} ${rest === 1 ? 'cent' : 'cents'}`;
  if (rest === 0) return d;
  return dollars === 0 ? c : `${d} and ${c}`;
}

/** Joins spoken parts as a list: `a`, `a and b`, `a, b and c`. */
export function joinSpoken(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** `a` or `an` before a spoken word (by its first letter; good enough for menu words). */
export function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
