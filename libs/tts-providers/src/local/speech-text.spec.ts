import { normalizeForSpeech } from './speech-text';

describe('normalizeForSpeech', () => {
  it.each([
    ['The total is $12.50.', 'The total is 12 dollars and 50 cents.'],
    ['It is $12.5 now', 'It is 12 dollars and 50 cents now'],
    ['Only $0.75', 'Only 75 cents'],
    ['$1 or $1.01 or $2.00', '1 dollar or 1 dollar and 1 cent or 2 dollars'],
    ['$1,250.99 total', '1,250 dollars and 99 cents total'],
    ['$5M raised, $3.2 million spent, $10k left', '5 million dollars raised, 3.2 million dollars spent, 10 thousand dollars left'],
    ['£5 and €20 and ¥300', '5 pounds and 20 euros and 300 yen'],
    ['£0.01', '1 penny'],
    ['$1.999', '1.999 dollars'],
  ])('currency: %j → %j', (input, expected) => {
    expect(normalizeForSpeech(input)).toBe(expected);
  });

  it('spells symbols flite reads literally', () => {
    expect(normalizeForSpeech('Order #42 & more, mail me@example.com')).toBe('Order number 42 and more, mail me at example.com');
    expect(normalizeForSpeech('Fruit, e.g. apples, i.e. food, etc.')).toBe('Fruit, for example apples, that is food, et cetera');
  });

  it('maps typographic punctuation and accents to ASCII and drops what flite cannot read', () => {
    expect(normalizeForSpeech('“Café” — naïve… it’s ok 😀')).toBe(`"Cafe", naive... it's ok`);
    for (const c of normalizeForSpeech('Ünïcödé – ☎ ✓ text')) expect(c.charCodeAt(0)).toBeLessThan(0x7f);
  });

  it('leaves plain numbers, times and percentages to flite', () => {
    const s = 'On March 3rd at 10:30 am, 50% off 1,250 units; call 555-1234.';
    expect(normalizeForSpeech(s)).toBe(s);
  });

  it('returns an empty string when nothing is left to say', () => {
    expect(normalizeForSpeech('  \n ')).toBe('');
    expect(normalizeForSpeech('… — 😀 ✓')).toBe('');
    expect(normalizeForSpeech('?!')).toBe('');
  });
});
