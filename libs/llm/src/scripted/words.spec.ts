import { parseDtmfText, dtmfText } from './dtmf';
import { joinSpoken, normalizeText, numberToWords, readNumber, spokenMoney } from './words';

describe('normalizeText', () => {
  it('lower-cases, expands contractions and drops punctuation', () => {
    expect(normalizeText("No, that's ALL!")).toBe('no that is all');
    expect(normalizeText('I’d like 2 lattes.')).toBe('i would like 2 lattes');
    expect(normalizeText("  O'Brien -- twenty-one  ")).toBe('obrien twenty one');
    expect(normalizeText('?!')).toBe('');
  });
});

describe('numbers as words', () => {
  it.each([
    [0, 'zero'], [7, 'seven'], [13, 'thirteen'], [20, 'twenty'], [21, 'twenty one'], [99, 'ninety nine'],
    [100, 'one hundred'], [105, 'one hundred five'], [999, 'nine hundred ninety nine'], [1000, 'one thousand'],
    [12345, 'twelve thousand three hundred forty five'],
  ])('%i → %s', (n, words) => {
    expect(numberToWords(n)).toBe(words);
  });

  it('rejects what it cannot say', () => {
    expect(() => numberToWords(-1)).toThrow(RangeError);
    expect(() => numberToWords(1.5)).toThrow(RangeError);
    expect(() => numberToWords(1_000_000)).toThrow(RangeError);
  });

  it('reads every number from 1 to 99 back from its words, and digits', () => {
    for (let n = 1; n < 100; n++) {
      const tokens = numberToWords(n).split(' ');
      expect(readNumber(tokens, 0)).toEqual({ value: n, length: tokens.length });
    }
    expect(readNumber(['12', 'bagels'], 0)).toEqual({ value: 12, length: 1 });
    expect(readNumber(['twenty', 'lattes'], 0)).toEqual({ value: 20, length: 1 });
    expect(readNumber(['lattes'], 0)).toBeUndefined();
  });
});

describe('spokenMoney', () => {
  it.each([
    [1250, 'twelve dollars and fifty cents'], [1200, 'twelve dollars'], [100, 'one dollar'], [101, 'one dollar and one cent'],
    [5, 'five cents'], [0, 'zero dollars'], [2050, 'twenty dollars and fifty cents'], [12399, 'one hundred twenty three dollars and ninety nine cents'],
  ])('%i cents → %s', (cents, words) => {
    expect(spokenMoney(cents)).toBe(words);
  });

  it('rejects fractions of a cent', () => {
    expect(() => spokenMoney(12.5)).toThrow(RangeError);
  });
});

describe('joinSpoken', () => {
  it('joins like speech', () => {
    expect(joinSpoken([])).toBe('');
    expect(joinSpoken(['a'])).toBe('a');
    expect(joinSpoken(['a', 'b'])).toBe('a and b');
    expect(joinSpoken(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('DTMF user text', () => {
  it('reads both spellings, exactly', () => {
    expect(parseDtmfText('DTMF: 1')).toBe('1');
    expect(parseDtmfText('dtmf:12')).toBe('12');
    expect(parseDtmfText('DTMF: 1 2 #')).toBe('12#');
    expect(parseDtmfText('[caller pressed keys: 1 2]')).toBe('12');
    expect(parseDtmfText('[caller pressed key: *]')).toBe('*');
    expect(parseDtmfText(dtmfText('9'))).toBe('9');
  });

  it('leaves speech alone', () => {
    expect(parseDtmfText('one')).toBeUndefined();
    expect(parseDtmfText('I pressed 1')).toBeUndefined();
    expect(parseDtmfText('DTMF: one')).toBeUndefined();
    expect(parseDtmfText('DTMF:')).toBeUndefined();
  });
});
