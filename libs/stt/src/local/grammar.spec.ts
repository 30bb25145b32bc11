import { buildJsgf, grammarWords, numberWords, phraseItems, phraseSetKey, withoutUnknown } from './grammar';

describe('grammar', () => {
  it('spells numbers the way cmudict spells words', () => {
    expect(numberWords(0)).toEqual(['zero']);
    expect(numberWords(15)).toEqual(['fifteen']);
    expect(numberWords(40)).toEqual(['forty']);
    expect(numberWords(73)).toEqual(['seventy', 'three']);
    expect(numberWords(100)).toEqual(['one', 'hundred']);
    expect(numberWords(1234).join(' ')).toBe('one thousand two hundred thirty four');
    expect(numberWords(2_000_019).join(' ')).toBe('two million nineteen');
  });

  it('normalises a phrase: lower case, punctuation out, numbers as quantities and digit by digit', () => {
    expect(phraseItems("Yes, please! I'd like it.")).toEqual(['yes', 'please', "i'd", 'like', 'it']);
    expect(phraseItems('Table for 2 at 7pm')).toEqual(['table', 'for', [['two']], 'at', [['seven']], 'pm']);
    expect(phraseItems('PIN 4321')).toEqual(['pin', [['four', 'thousand', 'three', 'hundred', 'twenty', 'one'], ['four', 'three', 'two', 'one']]]);
    expect(phraseItems('code 007')).toEqual(['code', [['zero', 'zero', 'seven']]]);
    expect(phraseItems('1,250 & 5%')).toEqual([[['one', 'thousand', 'two', 'hundred', 'fifty'], ['one', 'two', 'five', 'zero']], 'and', [['five']], 'percent']);
    expect(phraseItems(' ... ')).toEqual([]);
  });

  it('drops unknown words and the choices that use them, then empty and duplicate phrases', () => {
    const phrases = ['yes zorblax please', 'zorblax', 'yes please', 'pin 4321'].map(phraseItems);
    expect(grammarWords(phrases)).toEqual(expect.arrayContaining(['yes', 'zorblax', 'please', 'pin', 'thousand', 'four']));
    const kept = withoutUnknown(phrases, new Set(['zorblax', 'thousand']));
    expect(kept).toEqual([['yes', 'please'], ['pin', [['four', 'three', 'two', 'one']]]]);
  });

  it('builds one public rule with an alternative per phrase', () => {
    const jsgf = buildJsgf([['yes', 'please'], ['pin', [['four', 'two'], ['forty', 'two']]], ['no']]);
    expect(jsgf).toBe('#JSGF V1.0;\ngrammar expected;\npublic <utterance> = yes please\n  | pin ( four two | forty two )\n  | no;\n');
    expect(() => buildJsgf([])).toThrow(RangeError);
  });

  it('keys a phrase set by its content and order', () => {
    expect(phraseSetKey(['a', 'b'])).toBe(phraseSetKey(['a', 'b']));
    expect(phraseSetKey(['a', 'b'])).not.toBe(phraseSetKey(['b', 'a']));
    expect(phraseSetKey(['ab'])).not.toBe(phraseSetKey(['a', 'b']));
    expect(phraseSetKey(['a'])).toMatch(/^g[0-9a-f]{20}$/);
  });
});
