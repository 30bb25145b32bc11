import { ContextBuffer } from './context-buffer';
import { ContextBufferError } from './errors';
import { decodeAudio, ramp, voiceLike, expectSameSamples } from './audio.spec-helper';
import type { DecodedBody } from './audio.spec-helper';

const R = 24_000;
const sec = (s: number, seed = 0): { samples: Int16Array; sampleRate: number } => ({ samples: ramp(Math.round(s * R), seed), sampleRate: R });
const parse = (b: ContextBuffer, prompt = 'Next.'): DecodedBody => JSON.parse(b.toRequestBody({ promptText: prompt }).body) as DecodedBody;
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ContextBufferError);
    expect((e as ContextBufferError).retryable).toBe(false);
    return (e as ContextBufferError).code;
  }
  return undefined;
};

describe('ContextBuffer: caller turns', () => {
  it('stores transcript and snippet with the caller speaker id, and copies the audio', () => {
    const b = new ContextBuffer();
    const audio = sec(2, 1);
    const info = b.addCallerTurn('  I would like\na large   pizza ', audio);
    expect(info).toEqual({ role: 'caller', speakerId: 1, text: 'I would like a large pizza', audioSeconds: 2, interrupted: false });
    const expected = audio.samples.slice();
    audio.samples.fill(0);
    const turn = parse(b).context[0];
    expect(turn.speaker_id).toBe(1);
    expectSameSamples(decodeAudio(turn.audio as string).samples, expected);
  });

  it('upsamples 8 kHz caller audio to a 24 kHz snippet of the right length', () => {
    const b = new ContextBuffer();
    b.addCallerTurn('hello', { samples: voiceLike(8000 * 2, 8000), sampleRate: 8000 });
    const wav = decodeAudio(parse(b).context[0].audio as string);
    expect(wav.rate).toBe(24_000);
    expect(wav.samples.length).toBe(48_000);
  });

  it('keeps the end of a long utterance (the most recent speech), capped to the snippet length', () => {
    const b = new ContextBuffer(); // 24 s window: snippets of 6 s
    const audio = sec(10, 2);
    b.addCallerTurn('a long story', audio);
    const got = decodeAudio(parse(b).context[0].audio as string).samples;
    expect(got.length).toBe(6 * R);
    expectSameSamples(got, audio.samples.subarray(4 * R));
  });

  it("keeps the start with snippetKeep: 'start'", () => {
    const b = new ContextBuffer({ snippetKeep: 'start' });
    const audio = sec(10, 2);
    b.addCallerTurn('a long story', audio);
    expectSameSamples(decodeAudio(parse(b).context[0].audio as string).samples, audio.samples.subarray(0, 6 * R));
  });

  it('ignores a turn with neither text nor audio, and keeps text-only and audio-only turns', () => {
    const b = new ContextBuffer();
    expect(b.addCallerTurn('   ')).toBeUndefined();
    expect(b.addCallerTurn('', { samples: new Int16Array(0), sampleRate: 8000 })).toBeUndefined();
    b.addCallerTurn('just text');
    b.addCallerTurn('', sec(1));
    const ctx = parse(b).context;
    expect(ctx).toHaveLength(2);
    expect(ctx[0]).toEqual({ speaker_id: 1, text: 'just text' });
    expect(ctx[1].text).toBe('');
    expect(ctx[1].audio).toBeDefined();
  });

  it('keeps the last maxTurnChars characters of a long transcript, from a word boundary', () => {
    const b = new ContextBuffer({ maxTurnChars: 20 });
    b.addCallerTurn('one two three four five six seven eight');
    expect(b.turns()[0].text).toBe('five six seven eight');
  });

  it('rejects bad audio with CONTEXT_BAD_AUDIO and stores nothing', () => {
    const b = new ContextBuffer();
    expect(codeOf(() => b.addCallerTurn('x', { samples: new Float32Array(4) as never, sampleRate: 8000 }))).toBe('CONTEXT_BAD_AUDIO');
    expect(codeOf(() => b.addCallerTurn('x', { samples: new Int16Array(4), sampleRate: -8000 }))).toBe('CONTEXT_BAD_AUDIO');
    expect(b.turns()).toEqual([]);
  });
});

describe('ContextBuffer: agent turns commit only what was heard', () => {
  function reply(b: ContextBuffer, id: string, n: number): Int16Array[] {
    b.beginAgentTurn(id);
    const audios: Int16Array[] = [];
    for (let i = 0; i < n; i++) {
      const a = sec(1, 10 + i);
      audios.push(a.samples);
      expect(b.appendAgentSentence(id, `Sentence ${i}.`, a)).toBe(i);
    }
    return audios;
  }

  it('cuts an interrupted reply to its confirmed sentences, text and audio', () => {
    const b = new ContextBuffer();
    const audios = reply(b, 't1', 3);
    b.confirmPlayed('t1', 0);
    b.confirmPlayed('t1', 1);
    const info = b.commitAgentTurn('t1', { interrupted: true });
    expect(info).toEqual({ role: 'agent', speakerId: 0, text: 'Sentence 0. Sentence 1.', audioSeconds: 2, interrupted: true });
    const turn = parse(b).context[0];
    expect(turn.text).toBe('Sentence 0. Sentence 1.');
    expectSameSamples(decodeAudio(turn.audio as string).samples, [...audios[0], ...audios[1]]);
  });

  it('never lets unconfirmed sentences in: nothing confirmed leaves no turn', () => {
    const b = new ContextBuffer();
    reply(b, 't1', 2);
    expect(b.commitAgentTurn('t1', { interrupted: true })).toBeUndefined();
    expect(b.turns()).toEqual([]);
    expect(parse(b).context).toEqual([]);
  });

  it('treats a mark echo as confirming every earlier sentence (Twilio plays in order)', () => {
    const b = new ContextBuffer();
    reply(b, 't1', 4);
    b.confirmPlayed('t1', 2);
    b.confirmPlayed('t1', 1); // a late, lower echo does not shrink what was heard
    expect(b.commitAgentTurn('t1')?.text).toBe('Sentence 0. Sentence 1. Sentence 2.');
  });

  it('does not send a pending reply, even its confirmed sentences', () => {
    const b = new ContextBuffer();
    b.addCallerTurn('hi');
    reply(b, 't1', 2);
    b.confirmPlayed('t1', 1);
    expect(parse(b).context.map((t) => t.text)).toEqual(['hi']);
    expect(b.pendingTurns).toBe(1);
  });

  it('keeps a reply in the place it began: a barge-in transcript lands after it', () => {
    const b = new ContextBuffer();
    b.addCallerTurn('first');
    reply(b, 't1', 2);
    b.confirmPlayed('t1', 0);
    b.addCallerTurn('wait, stop');
    b.commitAgentTurn('t1', { interrupted: true });
    expect(parse(b).context.map((t) => [t.speaker_id, t.text])).toEqual([
      [1, 'first'],
      [0, 'Sentence 0.'],
      [1, 'wait, stop'],
    ]);
  });

  it('builds the snippet from the contiguous run of sentences with audio at the kept end', () => {
    const b = new ContextBuffer();
    b.beginAgentTurn('t');
    b.appendAgentSentence('t', 'A.', sec(1, 1));
    b.appendAgentSentence('t', 'B.');
    const c = sec(1, 3);
    b.appendAgentSentence('t', 'C.', c);
    b.confirmPlayed('t', 2);
    b.commitAgentTurn('t');
    const turn = parse(b).context[0];
    expect(turn.text).toBe('A. B. C.');
    expectSameSamples(decodeAudio(turn.audio as string).samples, c.samples);
  });

  it('caps a long reply to the last snippet seconds across sentence boundaries', () => {
    const b = new ContextBuffer({ maxContextSeconds: 12 }); // snippet cap 3 s
    b.beginAgentTurn('t');
    const parts = [sec(2, 1), sec(2, 2)];
    for (const [i, p] of parts.entries()) b.appendAgentSentence('t', `S${i}.`, p);
    b.confirmPlayed('t', 1);
    b.commitAgentTurn('t');
    const got = decodeAudio(parse(b).context[0].audio as string).samples;
    expectSameSamples(got, [...parts[0].samples.subarray(R), ...parts[1].samples]);
  });

  it('resamples sentences of other rates (an 8 kHz fallback voice) to the snippet rate', () => {
    const b = new ContextBuffer();
    b.beginAgentTurn('t');
    b.appendAgentSentence('t', 'Hi.', { samples: voiceLike(8000, 8000), sampleRate: 8000 });
    b.appendAgentSentence('t', 'There.', { samples: voiceLike(16_000, 16_000), sampleRate: 16_000 });
    b.confirmPlayed('t', 1);
    expect(b.commitAgentTurn('t')?.audioSeconds).toBe(2);
  });

  it('uses coded errors for lifecycle misuse', () => {
    const b = new ContextBuffer();
    expect(codeOf(() => b.appendAgentSentence('nope', 'x'))).toBe('CONTEXT_UNKNOWN_TURN');
    expect(codeOf(() => b.confirmPlayed('nope', 0))).toBe('CONTEXT_UNKNOWN_TURN');
    expect(codeOf(() => b.commitAgentTurn('nope'))).toBe('CONTEXT_UNKNOWN_TURN');
    b.beginAgentTurn('t');
    expect(codeOf(() => b.beginAgentTurn('t'))).toBe('CONTEXT_DUPLICATE_TURN');
    expect(codeOf(() => b.confirmPlayed('t', 0))).toBe('CONTEXT_BAD_SENTENCE');
    b.appendAgentSentence('t', 'one');
    expect(codeOf(() => b.confirmPlayed('t', 1))).toBe('CONTEXT_BAD_SENTENCE');
    expect(codeOf(() => b.confirmPlayed('t', -1))).toBe('CONTEXT_BAD_SENTENCE');
    expect(codeOf(() => b.confirmPlayed('t', 0.5))).toBe('CONTEXT_BAD_SENTENCE');
    expect(codeOf(() => b.appendAgentSentence('t', 'x', { samples: new Int16Array(3), sampleRate: 0 }))).toBe('CONTEXT_BAD_AUDIO');
    b.confirmPlayed('t', 0);
    b.commitAgentTurn('t');
    expect(codeOf(() => b.confirmPlayed('t', 0))).toBe('CONTEXT_UNKNOWN_TURN'); // a late echo after commit
    b.beginAgentTurn('t'); // the id is free again
    expect(b.pendingTurns).toBe(1);
  });

  it('clear() forgets committed and pending turns', () => {
    const b = new ContextBuffer();
    b.addCallerTurn('x');
    b.beginAgentTurn('t');
    b.clear();
    expect(b.turns()).toEqual([]);
    expect(b.pendingTurns).toBe(0);
    expect(codeOf(() => b.commitAgentTurn('t'))).toBe('CONTEXT_UNKNOWN_TURN');
  });
});

describe('ContextBuffer: options', () => {
  it.each([
    [{ maxContextSeconds: -1 }],
    [{ maxContextSeconds: Number.NaN }],
    [{ maxBodyBytes: 0 }],
    [{ maxBodyBytes: 1.5 }],
    [{ maxTurns: -1 }],
    [{ maxTurnChars: 0 }],
    [{ callerSpeakerId: 1001 }],
    [{ agentSpeakerId: -1 }],
    [{ snippetSampleRate: 0 }],
    [{ snippetKeep: 'middle' as never }],
  ])('rejects %j with CONTEXT_INVALID_OPTION', (opts) => {
    expect(codeOf(() => new ContextBuffer(opts))).toBe('CONTEXT_INVALID_OPTION');
  });

  it('uses the configured speaker ids', () => {
    const b = new ContextBuffer({ callerSpeakerId: 7, agentSpeakerId: 3 });
    b.addCallerTurn('x');
    const body = parse(b);
    expect(body.context[0].speaker_id).toBe(7);
    expect(body.speaker_id).toBe(3);
  });
});
