import { normalizeText, trimText } from './text';

describe('normalizeText', () => {
  it('collapses whitespace and trims', () => {
    expect(normalizeText('  two\n\nlines\t here ')).toBe('two lines here');
  });
});

describe('trimText', () => {
  it('leaves short text alone', () => {
    expect(trimText('hello there', 11, 'end')).toBe('hello there');
  });

  it('keeps the end from a word boundary', () => {
    const t = trimText('alpha beta gamma delta', 12, 'end');
    expect(t).toBe('gamma delta');
    expect(t.length).toBeLessThanOrEqual(12);
  });

  it('keeps the end exactly when the cut falls on a boundary', () => {
    expect(trimText('alpha beta gamma', 10, 'end')).toBe('beta gamma');
  });

  it('keeps the start up to a word boundary', () => {
    expect(trimText('alpha beta gamma delta', 12, 'start')).toBe('alpha beta');
  });

  it('cuts a single long word by characters', () => {
    expect(trimText('abcdefghij', 4, 'end')).toBe('ghij');
    expect(trimText('abcdefghij', 4, 'start')).toBe('abcd');
  });

  it('never splits a surrogate pair', () => {
    const s = 'ab😀😀';
    expect(trimText(s, 3, 'end')).toBe('😀');
    expect(trimText(s, 3, 'start')).toBe('ab');
  });
});
