import { type AudioChunk, decodeMulaw, MULAW_8K, sameFormat } from '@voice/audio-codec';
import { type FakeElevenLabs, type FakeElevenLabsOptions, startFakeElevenLabs } from '@voice/testing';
import type { TtsError } from '../tts-error';
import { drain, joined, ttsErrorOf } from '../testing/drain';
import { ElevenLabsTts, type ElevenLabsTtsOptions } from './elevenlabs-tts';

const MS_PER_CHAR = 10;
const expectedBytes = (text: string): number => text.replace(/\s+/g, '').length * MS_PER_CHAR * 8;

const isMulaw8k = (c: AudioChunk): void => expect(sameFormat(c.format, MULAW_8K)).toBe(true);
const collect = async (it: AsyncIterable<AudioChunk>): Promise<Uint8Array> => joined(await drain(it, isMulaw8k));
const failure = (it: AsyncIterable<AudioChunk>): Promise<TtsError> => ttsErrorOf(it, isMulaw8k);

describe('ElevenLabsTts against the fake ElevenLabs', () => {
  let fake: FakeElevenLabs;
  let tts: ElevenLabsTts;
  const signal = new AbortController().signal;

  async function setup(fakeOptions: FakeElevenLabsOptions = {}, options: Partial<ElevenLabsTtsOptions> = {}): Promise<void> {
    fake = await startFakeElevenLabs({ msPerChar: MS_PER_CHAR, chunkMs: 40, ...fakeOptions });
    tts = new ElevenLabsTts({
      apiKey: fake.apiKey,
      voiceId: 'voice-1',
      baseUrl: fake.url,
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 5 },
      responseTimeoutMs: 1000,
      ...options,
    });
  }

  afterEach(async () => {
    await tts?.close();
    await fake?.close();
  });

  const reply = (turnId: string, i: number, last: boolean) => ({ signal, context: { turnId, sentenceIndex: i, isLastSentence: last } });

  it('speaks a reply on one socket: BOS, one flushed text per sentence, EOS; each call yields its own audio', async () => {
    await setup({}, { voiceSettings: { stability: 0.5, similarity_boost: 0.75 } });
    const texts = ['Hello there.', 'How can I help you today?', 'Bye.'];
    const audio: Uint8Array[] = [];
    for (const [i, text] of texts.entries()) audio.push(await collect(tts.synthesize(text, reply('t1', i, i === 2))));
    expect(audio.map((a) => a.length)).toEqual(texts.map(expectedBytes));
    expect(decodeMulaw(audio[1] ?? new Uint8Array()).some((s) => Math.abs(s) > 8000)).toBe(true);
    expect(fake.sessions).toHaveLength(1);
    const session = fake.sessions[0];
    expect(session?.received[0]).toEqual({ text: ' ', voice_settings: { stability: 0.5, similarity_boost: 0.75 } });
    expect(session?.received.slice(1)).toEqual([
      { text: 'Hello there. ', flush: true },
      { text: 'How can I help you today? ', flush: true },
      { text: 'Bye. ', flush: true },
      { text: '' },
    ]);
    expect(session?.query).toMatchObject({ model_id: 'eleven_flash_v2_5', output_format: 'ulaw_8000', inactivity_timeout: '20' });
    expect(session?.headers['xi-api-key']).toBe(fake.apiKey);
    await fake.waitFor(() => session?.closed !== undefined);
    expect(session?.closed).toMatchObject({ code: 1000, by: 'server' });
    expect(fake.violations).toEqual([]);
  });

  it('attributes audio to the right sentence when sentences are pipelined', async () => {
    await setup({ chunkIntervalMs: 2 });
    const texts = ['First sentence here.', 'Second one.', 'And the third, longer than the others.'];
    const results = await Promise.all(texts.map((t, i) => collect(tts.synthesize(t, reply('p', i, i === 2)))));
    expect(results.map((r) => r.length)).toEqual(texts.map(expectedBytes));
  });

  it('falls back to a settle timer when the vendor sends no alignment', async () => {
    await setup({ alignment: false }, { settleMs: 40 });
    const texts = ['No alignment here.', 'Still fine.'];
    const audio: Uint8Array[] = [];
    for (const [i, t] of texts.entries()) audio.push(await collect(tts.synthesize(t, reply('n', i, i === 1))));
    expect(audio.map((a) => a.length)).toEqual(texts.map(expectedBytes));
  });

  it('speaks a one-shot sentence with its own socket and EOS', async () => {
    await setup();
    expect((await collect(tts.synthesize('Just this.', { signal }))).length).toBe(expectedBytes('Just this.'));
    expect(fake.sessions[0]?.received).toEqual([{ text: ' ' }, { text: 'Just this. ', flush: true }, { text: '' }]);
  });

  it('on abort: closes the socket without EOS, ends quietly and yields nothing more', async () => {
    await setup({ chunkIntervalMs: 15 });
    const ac = new AbortController();
    let seen = 0;
    let after = 0;
    for await (const _ of tts.synthesize('A rather long sentence that keeps streaming for a while.', { signal: ac.signal, context: { turnId: 'b' } })) {
      if (ac.signal.aborted) after += 1;
      seen += 1;
      if (seen === 2) ac.abort();
    }
    expect(after).toBe(0);
    const session = fake.sessions[0];
    await fake.waitFor(() => session?.closed !== undefined);
    expect(session?.closed).toMatchObject({ code: 1000, by: 'client' });
    expect(session?.eosReceived).toBe(false);
    expect(fake.violations).toEqual([]);
  });

  it('sends " " keepalives while a reply waits for its next sentence, and never an accidental ""', async () => {
    await setup({ inactivityTimeoutMs: 250 }, { keepAliveMs: 30 });
    await collect(tts.synthesize('First.', reply('k', 0, false)));
    await new Promise((r) => setTimeout(r, 500)); // twice the server's inactivity timeout
    expect((await collect(tts.synthesize('Second.', reply('k', 1, true)))).length).toBe(expectedBytes('Second.'));
    const session = fake.sessions[0];
    expect(fake.sessions).toHaveLength(1);
    expect(session?.keepalives).toBeGreaterThan(0);
    expect(session?.received.filter((m) => (m as { text?: string }).text === '')).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it('skips whitespace-only sentences; an empty last sentence just ends the open reply', async () => {
    await setup();
    await collect(tts.synthesize('Hello.', reply('e', 0, false)));
    expect((await collect(tts.synthesize('   ', reply('e', 1, false)))).length).toBe(0);
    expect((await collect(tts.synthesize('', reply('e', 2, true)))).length).toBe(0);
    expect(fake.sessions[0]?.received.slice(1)).toEqual([{ text: 'Hello. ', flush: true }, { text: '' }]);
    expect((await collect(tts.synthesize('', reply('never-opened', 0, true)))).length).toBe(0);
    expect(fake.sessions).toHaveLength(1);
  });

  it('wrong key: TTS_AUTH, not retryable, one upgrade only', async () => {
    await setup({}, { apiKey: 'xi_wrong', retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const e = await failure(tts.synthesize('Hello.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_AUTH', retryable: false, status: 401, provider: 'elevenlabs' });
    expect(e.message).not.toContain('xi_wrong');
    expect(fake.upgrades.map((u) => u.status)).toEqual([401]);
  });

  it('429 on the upgrade: bounded retries, then TTS_RATE_LIMITED; one 429 is retried through', async () => {
    await setup({ upgradeFault: (i) => (i < 3 ? { status: 429, retryAfter: 0 } : undefined) }, { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    const e = await failure(tts.synthesize('Hello.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_RATE_LIMITED', retryable: true, status: 429 });
    expect(fake.upgrades.map((u) => u.status)).toEqual([429, 429, 429]);
    expect((await collect(tts.synthesize('Hello.', { signal }))).length).toBe(expectedBytes('Hello.'));
  });

  it('socket closed mid-sentence: TTS_CONNECTION_LOST; the turn continues on a new socket', async () => {
    await setup({ sessions: [{ close: { code: 1011, reason: 'boom', afterChunks: 1 } }] });
    const e = await failure(tts.synthesize('Closing in the middle of this.', reply('x', 0, false)));
    expect(e).toMatchObject({ code: 'TTS_CONNECTION_LOST', retryable: true, closeCode: 1011 });
    expect((await collect(tts.synthesize('Again.', reply('x', 1, true)))).length).toBe(expectedBytes('Again.'));
    expect(fake.sessions).toHaveLength(2);
  });

  it('an upgrade that never completes fails with TTS_TIMEOUT after connectTimeoutMs', async () => {
    await setup({}, { connectTimeoutMs: 80 });
    fake.failUpgrades({ status: 0, hang: true });
    expect(await failure(tts.synthesize('Hello?', { signal }))).toMatchObject({ code: 'TTS_TIMEOUT', retryable: true });
    expect(fake.upgrades.map((u) => u.status)).toEqual([0]);
  });

  it('the vendor inactivity close during a silent sentence is TTS_TIMEOUT', async () => {
    await setup({ inactivityTimeoutMs: 60, sessions: [{ hang: true }] }, { keepAliveMs: 10_000 });
    const e = await failure(tts.synthesize('Nobody answers.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_TIMEOUT', closeCode: 1008 });
  });

  it('an open but silent socket fails the sentence with TTS_TIMEOUT and closes it', async () => {
    await setup({ sessions: [{ hang: true }] }, { responseTimeoutMs: 80 });
    const e = await failure(tts.synthesize('Nobody answers.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_TIMEOUT', retryable: true });
    await fake.waitFor(() => fake.sessions[0]?.closed?.by === 'client');
  });

  it('malformed JSON: TTS_PROTOCOL and the stream ends', async () => {
    await setup({ sessions: [{ malformedAfterChunks: 1 }] });
    const e = await failure(tts.synthesize('Broken frame ahead.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_PROTOCOL', retryable: false });
    await fake.waitFor(() => fake.openConnections() === 0);
  });

  it('close() releases every reply socket', async () => {
    await setup();
    await collect(tts.synthesize('Open reply.', reply('c', 0, false)));
    expect(fake.openConnections()).toBe(1);
    await tts.close();
    await fake.waitFor(() => fake.openConnections() === 0);
    expect(fake.sessions[0]?.eosReceived).toBe(false);
  });
});
