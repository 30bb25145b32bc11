import { judgeGrammar } from './fallback-rule';

const word = (startFrame: number, endFrame: number, perFrame: number) => ({ word: 'w', startFrame, endFrame, ascr: perFrame * (endFrame - startFrame + 1) });
const rule = { minScore: -30, minCoverage: 0.75 };

describe('judgeGrammar (when the grammar result is used)', () => {
  it('accepts words that fit well and cover the speech', () => {
    const v = judgeGrammar([word(10, 59, -12), word(60, 109, -20)], 1000, rule);
    expect(v).toEqual({ accept: true, score: -16, coverage: 1 });
  });

  it('rejects an empty result', () => {
    expect(judgeGrammar([], 800, rule)).toEqual({ accept: false, reason: 'grammar-empty' });
  });

  it('rejects a poor acoustic fit (speech forced onto a phrase)', () => {
    expect(judgeGrammar([word(0, 99, -45)], 1000, rule)).toMatchObject({ accept: false, reason: 'grammar-score', score: -45 });
  });

  it('rejects words that cover only part of the speech (the rest absorbed as silence)', () => {
    expect(judgeGrammar([word(0, 29, -15)], 1000, rule)).toMatchObject({ accept: false, reason: 'grammar-coverage', coverage: 0.3 });
  });

  it('uses the thresholds it is given', () => {
    expect(judgeGrammar([word(0, 99, -45)], 1000, { minScore: -50, minCoverage: 0.5 }).accept).toBe(true);
    expect(judgeGrammar([word(0, 99, -10)], 1000, { minScore: -5, minCoverage: 0.5 }).accept).toBe(false);
  });
});
