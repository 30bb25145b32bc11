import { type AudioChunk, decodeMulaw, MULAW_8K, sameFormat } from '@voice/audio-codec';
import { type FakeCartesia, type FakeCartesiaOptions, startFakeCartesia } from '@voice/testing';
import type { TtsError } from '../tts-error';
import { drain, joined, ttsErrorOf } from '../testing/drain';
import { CartesiaTts, type CartesiaTtsOptions } from './cartesia-tts';

const MS_PER_CHAR = 10;
/** Bytes the fake speaks for a text: non-space characters × MS_PER_CHAR ms × 8 μ-law bytes per ms. */
const expectedBytes = (text: string): number => text.replace(/\s+/g, '').length * MS_PER_CHAR * 8;

const isMulaw8k = (c: AudioChunk): void => expect(sameFormat(c.format, MULAW_8K)).toBe(true);
const collect = async (it: AsyncIterable<AudioChunk>): Promise<Uint8Array> => joined(await drain(it, isMulaw8k));
const failure = (it: AsyncIterable<AudioChunk>): Promise<TtsError> => ttsErrorOf(it, isMulaw8k);

describe('CartesiaTts against the fake Cartesia', () => {
  let fake: FakeCartesia;
  let tts: CartesiaTts;
  const signal = new AbortController().signal;

  async function setup(fakeOptions: FakeCartesiaOptions = {}, options: Partial<CartesiaTtsOptions> = {}): Promise<void> {
    fake = await startFakeCartesia({ msPerChar: MS_PER_CHAR, chunkMs: 40, ...fakeOptions });
    tts = new CartesiaTts({
      apiKey: fake.apiKey,
      voiceId: 'voice-1',
      baseUrl: fake.url,
      tls: { ca: fake.ca },
      retry: { maxRetries: 0, baseDelayMs: 5, maxDelayMs: 20 },
      responseTimeoutMs: 1000,
      ...options,
    });
  }

  afterEach(async () => {
    await tts?.close();
    await fake?.close();
  });

  it('speaks a reply as one context: one sentence per call, each yielding exactly its own audio', async () => {
    await setup();
    const sentences = ['Hello there.', 'How can I help you today?', 'Bye.'];
    const audio: Uint8Array[] = [];
    for (const [i, text] of sentences.entries()) {
      audio.push(await collect(tts.synthesize(text, { signal, context: { turnId: 't1', sentenceIndex: i, isLastSentence: i === 2 } })));
    }
    expect(audio.map((a) => a.length)).toEqual(sentences.map(expectedBytes));
    expect(decodeMulaw(audio[0] ?? new Uint8Array()).some((s) => Math.abs(s) > 8000)).toBe(true);
    expect(fake.connections).toHaveLength(1);
    expect([...fake.contexts.keys()]).toEqual(['t1-1']);
    const inputs = fake.contexts.get('t1-1')?.inputs as Array<Record<string, unknown>>;
    expect(inputs.map((i) => [i['transcript'], i['continue'], i['flush'] ?? false])).toEqual([
      ['Hello there. ', true, false],
      ['', true, true],
      ['How can I help you today? ', true, false],
      ['', true, true],
      ['Bye.', false, false],
    ]);
    expect(inputs[0]).toMatchObject({ model_id: 'sonic-3', voice: { mode: 'id', id: 'voice-1' }, output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 } });
    expect(fake.contexts.get('t1-1')?.outcome).toBe('done');
    expect(fake.violations).toEqual([]);
  });

  it('attributes audio to the right sentence when the caller pipelines sentences', async () => {
    await setup({ chunkIntervalMs: 2 });
    const texts = ['First sentence here.', 'Second one.', 'And the third, longer than the others.'];
    const results = await Promise.all(texts.map((text, i) => collect(tts.synthesize(text, { signal, context: { turnId: 'p', sentenceIndex: i, isLastSentence: i === 2 } }))));
    expect(results.map((r) => r.length)).toEqual(texts.map(expectedBytes));
  });

  it('speaks a one-shot sentence without a context as its own ended context', async () => {
    await setup();
    const audio = await collect(tts.synthesize('Just this.', { signal }));
    expect(audio.length).toBe(expectedBytes('Just this.'));
    const [record] = [...fake.contexts.values()];
    expect(record?.inputs).toEqual([expect.objectContaining({ transcript: 'Just this.', continue: false })]);
  });

  it('on abort: cancels the context, ends quietly, and drops the chunks Cartesia keeps sending', async () => {
    await setup({ chunkIntervalMs: 15 });
    const ac = new AbortController();
    let after = 0;
    let seen = 0;
    for await (const _ of tts.synthesize('A rather long sentence that keeps streaming for a while.', { signal: ac.signal, context: { turnId: 'b' } })) {
      if (ac.signal.aborted) after += 1;
      seen += 1;
      if (seen === 2) ac.abort();
    }
    expect(after).toBe(0);
    const record = fake.contexts.get('b-1');
    await fake.waitFor(() => record?.inputs.some((i) => (i as { cancel?: boolean }).cancel === true) ?? false);
    await fake.waitFor(() => record?.outcome === 'cancelled-while-generating');
    expect(record?.chunksAfterCancel).toBeGreaterThan(0);
    // The same socket then serves the next reply with only that reply's audio.
    const next = await collect(tts.synthesize('Next turn.', { signal, context: { turnId: 'c', isLastSentence: true } }));
    expect(next.length).toBe(expectedBytes('Next turn.'));
    expect(fake.connections).toHaveLength(1);
  });

  it('yields nothing and opens nothing for an already aborted signal', async () => {
    await setup();
    const ac = new AbortController();
    ac.abort();
    expect((await collect(tts.synthesize('Hello.', { signal: ac.signal }))).length).toBe(0);
    expect(fake.upgrades).toHaveLength(0);
  });

  it('wrong key: TTS_AUTH, not retryable, and no retry storm', async () => {
    await setup({}, { apiKey: 'sk_wrong', retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const e = await failure(tts.synthesize('Hello.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_AUTH', retryable: false, status: 401, provider: 'cartesia' });
    expect(e.message).not.toContain('sk_wrong');
    expect(fake.upgrades.map((u) => u.status)).toEqual([401]);
  });

  it('429 error frames: bounded retries on fresh contexts, then TTS_RATE_LIMITED', async () => {
    await setup({ contexts: () => ({ error: { status: 429 } }) }, { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    const e = await failure(tts.synthesize('Hello.', { signal, context: { turnId: 'r' } }));
    expect(e).toMatchObject({ code: 'TTS_RATE_LIMITED', retryable: true, status: 429 });
    expect([...fake.contexts.keys()]).toEqual(['r-1', 'r-2', 'r-3']);
  });

  it('recovers from a 429 upgrade and a 429 frame with retries', async () => {
    await setup({ contexts: [{ error: { status: 429 } }] }, { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    fake.failUpgrades({ status: 429, retryAfter: 0 });
    const audio = await collect(tts.synthesize('Hello.', { signal }));
    expect(audio.length).toBe(expectedBytes('Hello.'));
    expect(fake.upgrades.map((u) => u.status)).toEqual([429, 101]);
    expect([...fake.contexts.values()].map((c) => c.outcome)).toEqual(['error', 'done']);
  });

  it('socket closed mid-context: TTS_CONNECTION_LOST, then the next call reopens the socket', async () => {
    await setup({ contexts: [{ close: { code: 1011, reason: 'boom', afterChunks: 1 } }] });
    const e = await failure(tts.synthesize('Closing in the middle of this.', { signal, context: { turnId: 'x' } }));
    expect(e).toMatchObject({ code: 'TTS_CONNECTION_LOST', retryable: true, closeCode: 1011 });
    const audio = await collect(tts.synthesize('Again.', { signal, context: { turnId: 'x' } }));
    expect(audio.length).toBe(expectedBytes('Again.'));
    expect(fake.connections).toHaveLength(2);
  });

  it('malformed JSON: TTS_PROTOCOL, the stream ends and the socket is replaced', async () => {
    await setup({ contexts: [{ malformedAfterChunks: 1 }] });
    const e = await failure(tts.synthesize('Broken frame ahead.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_PROTOCOL', retryable: false });
    await fake.waitFor(() => fake.connections[0]?.closed?.by === 'client');
    expect((await collect(tts.synthesize('Fine.', { signal }))).length).toBe(expectedBytes('Fine.'));
  });

  it('an open but silent socket fails the sentence with TTS_TIMEOUT', async () => {
    await setup({ contexts: [{ hang: true }] }, { responseTimeoutMs: 80 });
    const e = await failure(tts.synthesize('Nobody answers.', { signal, context: { turnId: 'h' } }));
    expect(e).toMatchObject({ code: 'TTS_TIMEOUT', retryable: true });
    await fake.waitFor(() => fake.contexts.get('h-1')?.cancelled === true);
  });

  it('an upgrade that never completes fails with TTS_TIMEOUT after connectTimeoutMs', async () => {
    // Long enough for a real TLS handshake on a loaded CI box (the recovery below must not time out too).
    await setup({}, { connectTimeoutMs: 1500 });
    fake.failUpgrades({ status: 0, hang: true });
    expect(await failure(tts.synthesize('Hello?', { signal }))).toMatchObject({ code: 'TTS_TIMEOUT', retryable: true });
    expect((await collect(tts.synthesize('Hello.', { signal }))).length).toBe(expectedBytes('Hello.'));
  });

  it('an error frame without context_id fails the open context', async () => {
    await setup({ errorIncludesContextId: false, contexts: [{ error: { status: 500, afterChunks: 1 } }] });
    const e = await failure(tts.synthesize('Server trouble.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_PROVIDER_ERROR', retryable: true, status: 500 });
  });

  it('reopens lazily after the server closed an idle socket', async () => {
    await setup();
    await collect(tts.synthesize('One.', { signal }));
    fake.closeSockets(1000, 'idle');
    await fake.waitFor(() => fake.openConnections() === 0);
    await collect(tts.synthesize('Two.', { signal }));
    expect(fake.connections).toHaveLength(2);
  });

  it('starts a new context when the reply was idle longer than contextIdleMs', async () => {
    await setup({}, { contextIdleMs: 30 });
    await collect(tts.synthesize('First.', { signal, context: { turnId: 'slow', sentenceIndex: 0 } }));
    await new Promise((r) => setTimeout(r, 60));
    await collect(tts.synthesize('Second.', { signal, context: { turnId: 'slow', sentenceIndex: 1, isLastSentence: true } }));
    expect([...fake.contexts.keys()]).toEqual(['slow-1', 'slow-2']);
  });

  it('close() releases the socket', async () => {
    await setup();
    await collect(tts.synthesize('Hi.', { signal }));
    expect(fake.openConnections()).toBe(1);
    await tts.close();
    await fake.waitFor(() => fake.openConnections() === 0);
    expect(fake.connections[0]?.closed).toMatchObject({ code: 1000, by: 'client' });
  });

  it('rejects missing options with TTS_INVALID_OPTIONS', () => {
    expect(() => new CartesiaTts({ apiKey: '', voiceId: 'v' })).toThrow(expect.objectContaining({ code: 'TTS_INVALID_OPTIONS' }));
  });
});
