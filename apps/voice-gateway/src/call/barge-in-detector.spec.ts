import { BargeInDetector, countWords } from './barge-in-detector';

describe('BargeInDetector', () => {
  it('vad+words: an onset alone or words alone do not trigger; onset then N words do, stamped at the onset', () => {
    const d = new BargeInDetector('vad+words', 2);
    expect(d.onWords(2, 100, false)).toBeUndefined(); // words without onset (echo transcribed?) wait for the onset
    d.reset();
    expect(d.onOnset(1000)).toBeUndefined();
    expect(d.onWords(1, 1300, false)).toBeUndefined();
    expect(d.onWords(2, 1400, false)).toEqual({ trigger: 'vad+words', onsetAt: 1000 });
  });

  it('vad+words: counts final segments plus the interim in progress', () => {
    const d = new BargeInDetector('vad+words', 3);
    d.onOnset(0);
    expect(d.onWords(2, 300, true)).toBeUndefined();
    expect(d.onWords(1, 500, false)).toEqual({ trigger: 'vad+words', onsetAt: 0 });
  });

  it('vad+words: words arriving before the onset trigger on the onset', () => {
    const d = new BargeInDetector('vad+words', 2);
    expect(d.onWords(2, 100, true)).toBeUndefined();
    expect(d.onOnset(150)).toEqual({ trigger: 'vad+words', onsetAt: 150 });
  });

  it('an onset older than the window no longer confirms words', () => {
    const d = new BargeInDetector('vad+words', 1, 1000);
    d.onOnset(0);
    expect(d.onWords(1, 2000, false)).toBeUndefined();
  });

  it('vad mode triggers on the onset, words mode on the words', () => {
    expect(new BargeInDetector('vad', 2).onOnset(5)).toEqual({ trigger: 'vad', onsetAt: 5 });
    const w = new BargeInDetector('words', 2);
    expect(w.onOnset(5)).toBeUndefined();
    expect(w.onWords(1, 50, false)).toBeUndefined();
    expect(w.onWords(2, 60, false)).toEqual({ trigger: 'words', onsetAt: 5 });
  });

  it('countWords ignores punctuation-only tokens', () => {
    expect(countWords(' Wait , stop - please. ')).toBe(3);
    expect(countWords('')).toBe(0);
  });
});
