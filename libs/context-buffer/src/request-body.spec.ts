import { ContextBuffer } from './context-buffer';
import { ContextBufferError } from './errors';
import { decodeAudio, ramp, expectSameSamples } from './audio.spec-helper';
import type { DecodedBody } from './audio.spec-helper';

const R = 24_000;
const audioOf = (samples: number, seed = 0): { samples: Int16Array; sampleRate: number } => ({ samples: ramp(samples, seed), sampleRate: R });
const parse = (body: string): DecodedBody => JSON.parse(body) as DecodedBody;
const samplesIn = (body: DecodedBody): number[] => body.context.map((t) => (t.audio === undefined ? 0 : decodeAudio(t.audio).samples.length));

describe('toRequestBody: the POST /tts contract', () => {
  it('serializes exactly the csm-gpu fields, in order, with each WAV 24 kHz mono PCM16', () => {
    const b = new ContextBuffer();
    const caller = audioOf(36_000, 1);
    b.addCallerTurn('Do you deliver?', caller);
    b.beginAgentTurn('r1');
    const agent = audioOf(20_000, 2);
    b.appendAgentSentence('r1', 'We do.', agent);
    b.confirmPlayed('r1', 0);
    b.commitAgentTurn('r1');
    b.addCallerTurn('Great.');

    const out = b.toRequestBody({ promptText: 'What is your address?', temperature: 0.7, topk: 40, maxAudioLengthMs: 8000, seed: 42 });
    const body = parse(out.body);
    expect(Object.keys(body)).toEqual(['speaker_id', 'prompt_text', 'context', 'temperature', 'topk', 'max_audio_length_ms', 'seed']);
    expect(body).toMatchObject({ speaker_id: 0, prompt_text: 'What is your address?', temperature: 0.7, topk: 40, max_audio_length_ms: 8000, seed: 42 });
    expect(body.context.map((t) => Object.keys(t))).toEqual([
      ['speaker_id', 'text', 'audio'],
      ['speaker_id', 'text', 'audio'],
      ['speaker_id', 'text'],
    ]);
    expect(body.context.map((t) => [t.speaker_id, t.text])).toEqual([
      [1, 'Do you deliver?'],
      [0, 'We do.'],
      [1, 'Great.'],
    ]);
    for (const [i, src] of [caller, agent].entries()) {
      const wav = decodeAudio(body.context[i].audio as string);
      expect([wav.format, wav.channels, wav.rate, wav.bits]).toEqual([1, 1, 24_000, 16]);
      expect(wav.bytes.length).toBe(44 + 2 * src.samples.length);
      expectSameSamples(wav.samples, src.samples);
    }
    expect(out).toMatchObject({ turns: 3, audioTurns: 2, strippedAudioTurns: 0, omittedTurns: 0, windowSeconds: 24 });
    expect(out.contextSeconds).toBe(56_000 / R);
    expect(out.bytes).toBe(Buffer.byteLength(out.body));
  });

  it('omits optional generation fields that were not given, and takes speakerId', () => {
    const b = new ContextBuffer();
    const body = parse(b.toRequestBody({ promptText: 'Hi.', speakerId: 4 }).body);
    expect(body).toEqual({ speaker_id: 4, prompt_text: 'Hi.', context: [] });
  });

  it('reports the UTF-8 size exactly for text that JSON must escape', () => {
    const b = new ContextBuffer();
    b.addCallerTurn('Quote " backslash \\ tab\tcontrol \u0001 é 中文 😀', audioOf(1001));
    const prompt = 'Line\nbreak "quoted" 😀 lone \ud800 surrogate';
    const out = b.toRequestBody({ promptText: prompt });
    expect(out.bytes).toBe(Buffer.byteLength(out.body, 'utf8'));
    const body = parse(out.body);
    expect(body.prompt_text).toBe(prompt);
    expect(body.context[0].text).toBe('Quote " backslash \\ tab control \u0001 é 中文 😀');
  });

  it.each([
    [{ promptText: '' }],
    [{ promptText: '   ' }],
    [{ promptText: 'x', topk: 0 }],
    [{ promptText: 'x', topk: 2.5 }],
    [{ promptText: 'x', temperature: -0.1 }],
    [{ promptText: 'x', temperature: Number.POSITIVE_INFINITY }],
    [{ promptText: 'x', maxAudioLengthMs: 0 }],
    [{ promptText: 'x', seed: -1 }],
    [{ promptText: 'x', speakerId: 1001 }],
    [{ promptText: 'x', windowSeconds: -1 }],
    [{ promptText: 'x', maxBodyBytes: 0 }],
  ])('rejects %j with CONTEXT_INVALID_REQUEST', (req) => {
    const b = new ContextBuffer();
    expect(() => b.toRequestBody(req)).toThrow(expect.objectContaining({ code: 'CONTEXT_INVALID_REQUEST' }));
  });
});

describe('toRequestBody: the seconds window', () => {
  it('fills a 24 s window exactly with four 6 s snippets; older turns leave', () => {
    const b = new ContextBuffer();
    for (let i = 0; i < 6; i++) b.addCallerTurn(`turn ${i}`, audioOf(8 * R, i));
    const out = b.toRequestBody({ promptText: 'x' });
    const body = parse(out.body);
    expect(body.context.map((t) => t.text)).toEqual(['turn 2', 'turn 3', 'turn 4', 'turn 5']);
    expect(samplesIn(body)).toEqual([6 * R, 6 * R, 6 * R, 6 * R]);
    expect(out.contextSeconds).toBe(24);
  });

  it('cuts the oldest snippet that reaches the window to the room left, in whole samples, keeping its end', () => {
    const b = new ContextBuffer({ maxContextSeconds: 10 }); // snippet cap clamp(2.5, 3, 6) = 3 s
    const oldest = audioOf(3 * R, 9);
    b.addCallerTurn('oldest', oldest);
    for (let i = 0; i < 3; i++) b.addCallerTurn(`t${i}`, audioOf(3 * R, i)); // 9 s, leaving 1 s of room
    const out = b.toRequestBody({ promptText: 'x' });
    const body = parse(out.body);
    expect(samplesIn(body)).toEqual([R, 3 * R, 3 * R, 3 * R]);
    expectSameSamples(decodeAudio(body.context[0].audio as string).samples, oldest.samples.subarray(2 * R));
    expect(out.contextSeconds).toBe(10);
  });

  it('lets the oldest turn leave when the room left is under minSnippetSeconds', () => {
    const b = new ContextBuffer({ maxContextSeconds: 10, minSnippetSeconds: 1.5 });
    b.addCallerTurn('oldest', audioOf(3 * R));
    for (let i = 0; i < 3; i++) b.addCallerTurn(`t${i}`, audioOf(3 * R, i));
    const out = b.toRequestBody({ promptText: 'x' });
    expect(out.turns).toBe(3);
    expect(out.omittedTurns).toBe(1);
    expect(out.contextSeconds).toBe(9);
  });

  it('derives the per-snippet cap in whole samples and never exceeds the window', () => {
    const b = new ContextBuffer({ maxContextSeconds: 14.00002 }); // cap 3.500005 s = 84000.12 samples → 84000
    b.addCallerTurn('a', audioOf(5 * R));
    expect(samplesIn(parse(b.toRequestBody({ promptText: 'x' }).body))).toEqual([84_000]);
    expect(b.snippetSeconds).toBeCloseTo(3.500005, 9);
    const small = new ContextBuffer({ maxContextSeconds: 2 }); // clamp gives 3 s, the window holds 2
    small.addCallerTurn('a', audioOf(5 * R));
    expect(samplesIn(parse(small.toRequestBody({ promptText: 'x' }).body))).toEqual([2 * R]);
  });

  it('honours an explicit maxSnippetSeconds', () => {
    const b = new ContextBuffer({ maxSnippetSeconds: 1.25 });
    b.addCallerTurn('a', audioOf(5 * R));
    expect(samplesIn(parse(b.toRequestBody({ promptText: 'x' }).body))).toEqual([30_000]);
  });

  it('sends text only with a 0 s window', () => {
    const b = new ContextBuffer({ maxContextSeconds: 0 });
    b.addCallerTurn('a', audioOf(R));
    b.addCallerTurn('b', audioOf(R));
    const out = b.toRequestBody({ promptText: 'x' });
    expect(parse(out.body).context).toEqual([
      { speaker_id: 1, text: 'a' },
      { speaker_id: 1, text: 'b' },
    ]);
    expect(out.contextSeconds).toBe(0);
  });

  it('keeps at most maxTurns turns, newest, in order, and evicts older ones from memory', () => {
    const b = new ContextBuffer({ maxTurns: 3 });
    for (let i = 0; i < 50; i++) b.addCallerTurn(`t${i}`);
    expect(b.turns().map((t) => t.text)).toEqual(['t47', 't48', 't49']);
    expect(parse(b.toRequestBody({ promptText: 'x' }).body).context.map((t) => t.text)).toEqual(['t47', 't48', 't49']);
  });

  it('evicts turns behind a full window from memory', () => {
    const b = new ContextBuffer({ maxContextSeconds: 12, maxTurns: 50 }); // snippets of 3 s: 4 fill the window
    for (let i = 0; i < 10; i++) b.addCallerTurn(`t${i}`, audioOf(3 * R, i));
    expect(b.turns().map((t) => t.text)).toEqual(['t6', 't7', 't8', 't9']);
  });
});

describe('toRequestBody: shrinking after a 413', () => {
  function filled(): ContextBuffer {
    const b = new ContextBuffer();
    for (let i = 0; i < 6; i++) b.addCallerTurn(`t${i}`, audioOf(6 * R, i));
    return b;
  }

  it('halves the window for later requests, with the snippet cap derived from it', () => {
    const b = filled();
    expect(b.shrink()).toBe(12);
    const out = b.toRequestBody({ promptText: 'x' });
    expect(out.windowSeconds).toBe(12);
    expect(out.contextSeconds).toBe(12);
    expect(samplesIn(parse(out.body))).toEqual([3 * R, 3 * R, 3 * R, 3 * R]); // clamp(12 / 4, 3, 6) = 3 s
    b.resetWindow();
    expect(b.toRequestBody({ promptText: 'x' }).contextSeconds).toBe(24);
  });

  it('goes to text only once half the window is under minSnippetSeconds', () => {
    const b = filled();
    const seen = [b.shrink(), b.shrink(), b.shrink(), b.shrink(), b.shrink(), b.shrink()];
    expect(seen).toEqual([12, 6, 3, 1.5, 0, 0]);
    const out = b.toRequestBody({ promptText: 'x' });
    expect(out.audioTurns).toBe(0);
    expect(out.turns).toBe(4); // the two oldest were evicted when the 24 s window filled
  });

  it('takes a one-off windowSeconds without changing the buffer', () => {
    const b = filled();
    expect(b.toRequestBody({ promptText: 'x', windowSeconds: 6 }).contextSeconds).toBe(6);
    expect(b.windowSeconds).toBe(24);
    expect(b.toRequestBody({ promptText: 'x' }).contextSeconds).toBe(24);
  });
});

describe('toRequestBody: the byte budget', () => {
  /** Three turns of 1 s audio each, then a text-only turn. */
  function setup(maxBodyBytes?: number): ContextBuffer {
    const b = new ContextBuffer({ maxBodyBytes });
    for (let i = 0; i < 3; i++) b.addCallerTurn(`turn number ${i}`, audioOf(R, i));
    b.addCallerTurn('text only');
    return b;
  }
  const full = setup().toRequestBody({ promptText: 'Prompt.' });
  const fullBody = parse(full.body);
  /** Bytes the audio of turn i adds to the body: `,"audio":"` + base64 + `"`, measured on the parsed body. */
  const audioCost = (i: number): number => 11 + (fullBody.context[i].audio as string).length;

  it('is not touched when the body fits', () => {
    expect(setup(full.bytes).toRequestBody({ promptText: 'Prompt.' }).body).toBe(full.body);
  });

  it('drops the audio of the oldest turn first', () => {
    const out = setup(full.bytes - 1).toRequestBody({ promptText: 'Prompt.' });
    const body = parse(out.body);
    expect(body.context.map((t) => t.audio !== undefined)).toEqual([false, true, true, false]);
    expect(body.context.map((t) => t.text)).toEqual(fullBody.context.map((t) => t.text));
    expect(out.bytes).toBe(full.bytes - audioCost(0));
    expect(out.bytes).toBe(Buffer.byteLength(out.body));
    expect(out).toMatchObject({ strippedAudioTurns: 1, audioTurns: 2, turns: 4 });
  });

  it('drops all audio, oldest first, before dropping any turn', () => {
    const budget = full.bytes - audioCost(0) - audioCost(1) - audioCost(2);
    const out = setup(budget).toRequestBody({ promptText: 'Prompt.' });
    expect(parse(out.body).context.map((t) => t.audio !== undefined)).toEqual([false, false, false, false]);
    expect(out.turns).toBe(4);
    expect(out.bytes).toBe(budget);
  });

  it('then drops whole oldest turns', () => {
    const textOnly = full.bytes - audioCost(0) - audioCost(1) - audioCost(2);
    const firstTurnCost = JSON.stringify(fullBody.context[0]).length - audioCost(0) + 1; // the fragment and its comma
    const out = setup(textOnly - 1).toRequestBody({ promptText: 'Prompt.' });
    expect(parse(out.body).context.map((t) => t.text)).toEqual(['turn number 1', 'turn number 2', 'text only']);
    expect(out.bytes).toBe(textOnly - firstTurnCost);
    expect(out).toMatchObject({ turns: 3, omittedTurns: 1, strippedAudioTurns: 2 });
  });

  it('sends an empty context when only the bare request fits, and fails when even that does not', () => {
    const bare = Buffer.byteLength(JSON.stringify({ speaker_id: 0, prompt_text: 'Prompt.', context: [] }));
    const out = setup(bare).toRequestBody({ promptText: 'Prompt.' });
    expect(parse(out.body).context).toEqual([]);
    expect(out.bytes).toBe(bare);
    let err: unknown;
    try {
      setup(bare - 1).toRequestBody({ promptText: 'Prompt.' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContextBufferError);
    expect((err as ContextBufferError).code).toBe('CONTEXT_BODY_TOO_LARGE');
  });

  it('takes a one-off maxBodyBytes', () => {
    const b = setup();
    expect(b.toRequestBody({ promptText: 'Prompt.', maxBodyBytes: full.bytes - 1 }).strippedAudioTurns).toBe(1);
    expect(b.toRequestBody({ promptText: 'Prompt.' }).strippedAudioTurns).toBe(0);
  });

  it('fits the default 24 s window in the default 4 MiB budget', () => {
    const b = new ContextBuffer();
    for (let i = 0; i < 6; i++) b.addCallerTurn(`t${i}`, audioOf(8 * R, i));
    const out = b.toRequestBody({ promptText: 'x' });
    expect(out.strippedAudioTurns).toBe(0);
    expect(out.bytes).toBeGreaterThan(24 * R * 2 * (4 / 3));
    expect(out.bytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('reports the exact size and honours every budget between the bare request and the full body', () => {
    const b = new ContextBuffer();
    b.addCallerTurn('Ünïcödé 😀 "quoted"', audioOf(R / 2, 1));
    b.addCallerTurn('plain', audioOf(R / 3, 2));
    b.addCallerTurn('text only 中文');
    b.addCallerTurn('last', audioOf(R / 4, 3));
    const all = b.toRequestBody({ promptText: 'Prompt ✓', maxAudioLengthMs: 5000 });
    const bare = Buffer.byteLength(JSON.stringify({ speaker_id: 0, prompt_text: 'Prompt ✓', context: [], max_audio_length_ms: 5000 }));
    let previousTurns = 0;
    let previousAudio = 0;
    for (let budget = bare; budget <= all.bytes; budget += 997) {
      const out = b.toRequestBody({ promptText: 'Prompt ✓', maxAudioLengthMs: 5000, maxBodyBytes: budget });
      expect(out.bytes).toBe(Buffer.byteLength(out.body, 'utf8'));
      expect(out.bytes).toBeLessThanOrEqual(budget);
      // A bigger budget never sends fewer turns or less audio.
      expect(out.turns).toBeGreaterThanOrEqual(previousTurns);
      expect(out.audioTurns + out.turns).toBeGreaterThanOrEqual(previousAudio);
      previousTurns = out.turns;
      previousAudio = out.audioTurns + out.turns;
    }
    expect(previousTurns).toBe(4);
  });
});
