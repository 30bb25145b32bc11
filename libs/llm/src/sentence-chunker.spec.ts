import { chunkSentences, SentenceChunker, type SentenceChunkerOptions } from './sentence-chunker';

function whole(text: string, o?: SentenceChunkerOptions): string[] {
  const c = new SentenceChunker(o);
  return [...c.push(text), ...c.flush()];
}

function byChar(text: string, o?: SentenceChunkerOptions): string[] {
  const c = new SentenceChunker(o);
  const out: string[] = [];
  // Code units, not code points: a delta may even cut a surrogate pair.
  for (let i = 0; i < text.length; i++) out.push(...c.push(text[i] as string));
  return [...out, ...c.flush()];
}

/** Deterministic pseudo-random cuts (a small LCG), like a tokenizer's uneven deltas. */
function byRandomCuts(text: string, seed: number, o?: SentenceChunkerOptions): string[] {
  const c = new SentenceChunker(o);
  const out: string[] = [];
  let s = seed;
  for (let i = 0; i < text.length; ) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (s % 7);
    out.push(...c.push(text.slice(i, i + n)));
    i += n;
  }
  return [...out, ...c.flush()];
}

const CASES: Array<[string, string, string[]]> = [
  ['plain sentences', 'Hello there. How are you? I am fine!', ['Hello there.', 'How are you?', 'I am fine!']],
  ['titles', 'Dr. Smith and Mr. Jones arrived. Mrs. Lee did not.', ['Dr. Smith and Mr. Jones arrived.', 'Mrs. Lee did not.']],
  ['Latin abbreviations', 'Bring fruit, e.g. apples or pears, i.e. something sweet. Thanks.', ['Bring fruit, e.g. apples or pears, i.e. something sweet.', 'Thanks.']],
  ['decimals and money', 'It costs $1,299.99 today. That is 3.5 times less.', ['It costs $1,299.99 today.', 'That is 3.5 times less.']],
  ['times', 'See you at 10:30 a.m. tomorrow. Or at 4 p.m. Bye.', ['See you at 10:30 a.m. tomorrow.', 'Or at 4 p.m.', 'Bye.']],
  ['a dotted acronym ending a sentence', 'I moved to the U.S. Then I got a job.', ['I moved to the U.S.', 'Then I got a job.']],
  ['a dotted acronym inside a sentence', 'The U.S. economy grew.', ['The U.S. economy grew.']],
  ['ellipses', 'Well... let me think. Okay... Here it is.', ['Well... let me think.', 'Okay...', 'Here it is.']],
  ['unicode ellipsis', 'Hmm… maybe. Sure.', ['Hmm… maybe.', 'Sure.']],
  ['URLs and emails', 'Go to example.com/help or write to jane.doe@mail.co.uk. We reply fast.', ['Go to example.com/help or write to jane.doe@mail.co.uk.', 'We reply fast.']],
  ['quotes after a period', 'He said "It is done." Then he left.', ['He said "It is done."', 'Then he left.']],
  ['parentheses after a period', 'Call us (we are open now.) Bye.', ['Call us (we are open now.)', 'Bye.']],
  ['curly quotes', 'She asked “Why?” Nobody knew.', ['She asked “Why?”', 'Nobody knew.']],
  ['initials', 'J. R. R. Tolkien wrote it. Read it.', ['J. R. R. Tolkien wrote it.', 'Read it.']],
  ['"No." as a sentence vs "No. 5"', 'No. It is at No. 5 Main Street.', ['No.', 'It is at No. 5 Main Street.']],
  ['newlines and bullets', 'Your options:\n- Apples\n- Pears\n\nPick one.', ['Your options:', 'Apples', 'Pears', 'Pick one.']],
  ['numbered lists', '1. Open the app\n2. Tap Settings. Then save.', ['1. Open the app', '2. Tap Settings.', 'Then save.']],
  ['interrobang', 'Really?! Yes.', ['Really?!', 'Yes.']],
  ['whitespace only', '   \n\t  \n ', []],
  ['punctuation only', ' ... ', []],
  ['no final punctuation', 'Thanks for calling', ['Thanks for calling']],
  ['a lowercase word after a period is not a new sentence', 'Take approx. two pills at 9 a.m. daily.', ['Take approx. two pills at 9 a.m. daily.']],
  ['year ranges are not clause dashes', 'Open 1990–2000 and 9–5 on weekdays.', ['Open 1990–2000 and 9–5 on weekdays.']],
];

describe('SentenceChunker', () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    expect(whole(text, { minFirstWords: Infinity })).toEqual(expected);
  });

  it.each(CASES)('%s: same output one character at a time and in random cuts', (_name, text) => {
    const expected = whole(text);
    expect(byChar(text)).toEqual(expected);
    for (const seed of [1, 7, 42]) expect(byRandomCuts(text, seed)).toEqual(expected);
  });

  it('lets the first chunk end at a clause once it has minFirstWords words', () => {
    const text = 'Sure, I can help you with that, and then we can look at your order. It ships today, I think.';
    expect(whole(text)).toEqual(['Sure, I can help you with that,', 'and then we can look at your order.', 'It ships today, I think.']);
    expect(whole(text, { minFirstWords: 2 })).toEqual(['Sure, I can help you with that,', 'and then we can look at your order.', 'It ships today, I think.']);
    expect(whole(text, { minFirstWords: 1 })).toEqual(['Sure,', 'I can help you with that, and then we can look at your order.', 'It ships today, I think.']);
  });

  it('treats ; : and dashes as clause marks for the first chunk, but never inside numbers', () => {
    expect(whole('Here is the thing: we close at 10:30 tonight.')).toEqual(['Here is the thing:', 'we close at 10:30 tonight.']);
    expect(whole('Your total comes out—after tax—to about twelve dollars.')).toEqual(['Your total comes out—', 'after tax—to about twelve dollars.']);
    expect(whole('That will be $1,299 for the whole set, sir.')).toEqual(['That will be $1,299 for the whole set,', 'sir.']);
  });

  it('waits for the next character before deciding: "3." then "5" stays one number', () => {
    const c = new SentenceChunker();
    expect(c.push('The rate is 3.')).toEqual([]);
    expect(c.push('5 percent.')).toEqual([]);
    expect(c.push(' Dr.')).toEqual(['The rate is 3.5 percent.']);
    expect(c.push(' Smith agrees.')).toEqual([]);
    expect(c.flush()).toEqual(['Dr. Smith agrees.']);
  });

  it('cuts a run longer than maxChars at its last clause mark, else its last space', () => {
    const longClause = 'alpha beta gamma delta, epsilon zeta eta theta iota kappa lambda';
    const chunks = whole(longClause, { maxChars: 40, minFirstWords: Infinity });
    expect(chunks).toEqual(['alpha beta gamma delta,', 'epsilon zeta eta theta iota kappa lambda']);
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    const out = whole(words, { maxChars: 20 });
    expect(out.every((c) => c.length <= 20)).toBe(true);
    expect(out.join(' ')).toBe(words);
    expect(byChar(words, { maxChars: 20 })).toEqual(out);
  });

  it('hard-cuts a single token longer than maxChars without splitting a surrogate pair', () => {
    const token = 'x'.repeat(9) + '😀' + 'y'.repeat(20);
    const out = whole(token, { maxChars: 10 });
    expect(out.join('')).toBe(token);
    expect(out.every((c) => !/[\uD800-\uDBFF]$/.test(c))).toBe(true);
    expect(byChar(token, { maxChars: 10 })).toEqual(out);
  });

  it('resets after flush: the next reply may start with a clause again', () => {
    const c = new SentenceChunker();
    expect([...c.push('One two three four, five. Six seven eight nine, ten.'), ...c.flush()]).toEqual([
      'One two three four,',
      'five.',
      'Six seven eight nine, ten.',
    ]);
    expect([...c.push('One two three four, five.'), ...c.flush()]).toEqual(['One two three four,', 'five.']);
  });
});

describe('chunkSentences', () => {
  async function* deltas(parts: string[]): AsyncGenerator<string> {
    for (const p of parts) yield p;
  }

  it('yields each chunk as soon as its boundary is known, and the rest at the end', async () => {
    const seen: string[] = [];
    const pulled: string[] = [];
    async function* tracked(): AsyncGenerator<string> {
      for (const p of ['Sure thing, let me', ' look that up. One', ' moment']) {
        pulled.push(p);
        yield p;
      }
    }
    for await (const chunk of chunkSentences(tracked())) seen.push(`${chunk}@${pulled.length}`);
    // "Sure thing," has 2 words < 4, so the first chunk is the sentence, known once "One" arrives (delta 2).
    expect(seen).toEqual(['Sure thing, let me look that up.@2', 'One moment@3']);
  });

  it('passes options through', async () => {
    const out: string[] = [];
    for await (const c of chunkSentences(deltas(['A b, c d.']), { minFirstWords: 2 })) out.push(c);
    expect(out).toEqual(['A b,', 'c d.']);
  });
});
