import { type FakeDeepgram, type FakeDeepgramOptions, startFakeDeepgram } from '@voice/testing';
import { pcm16Format } from '@voice/audio-codec';
import { SttError } from '../errors';
import { collect, createAudioFeed, mulawFrames, patternAudio } from '../testing/audio-feed';
import type { SttEvent, SttWord } from '../types';
import type { DeepgramSttOptions } from './deepgram-options';
import { createDeepgramStt } from './deepgram-stt';

let fake: FakeDeepgram;
afterEach(async () => {
  await fake?.close();
});

async function setup(fakeOpts: FakeDeepgramOptions = {}, opts: Partial<DeepgramSttOptions> = {}) {
  fake = await startFakeDeepgram(fakeOpts);
  return createDeepgramStt({
    apiKey: 'test-key',
    baseUrl: fake.url,
    closeTimeoutMs: 500,
    replayRate: 8, // backlogs drain fast here; pacing has its own test
    reconnect: { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 },
    ...opts,
  });
}

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const ofType = <T extends SttEvent['type']>(events: SttEvent[], type: T) =>
  events.filter((e): e is Extract<SttEvent, { type: T }> => e.type === type);
type Ev<T extends SttEvent['type']> = Extract<SttEvent, { type: T }>;
const times = (ws: SttWord[]) => ws.map((w) => [w.word, w.startMs, w.endMs]);

describe('createDeepgramStt against the fake Deepgram', () => {
  it('streams μ-law 8 kHz with the documented defaults and maps Results/SpeechStarted/UtteranceEnd', async () => {
    const stt = await setup({
      script: [
        { atBytes: 800, kind: 'speech_started' },
        { atBytes: 4000, kind: 'interim', text: 'Tell me' },
        { atBytes: 8000, kind: 'final', text: 'Tell me more.' },
        { atBytes: 8000, kind: 'utterance_end' },
      ],
    });
    const audio = patternAudio(9600);
    const { events, error } = await collect(stt.transcribe(mulawFrames(audio), { signal: new AbortController().signal }));
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['speech_started', 'interim', 'final', 'utterance_end']);
    const [started, interim, final, end] = events as [Ev<'speech_started'>, Ev<'interim'>, Ev<'final'>, Ev<'utterance_end'>];
    expect(started.atMs).toBe(0);
    expect(interim.text).toBe('Tell me');
    expect(times(interim.words)).toEqual([['Tell', 0, 250], ['me', 250, 500]]);
    expect(final).toMatchObject({ text: 'Tell me more.', speechFinal: true });
    expect(final.words.map((w) => w.endMs)).toEqual([333.333, 666.667, 1000]);
    expect(end.lastWordEndMs).toBe(1000);

    const conn = fake.connections[0];
    expect(conn.query).toEqual({
      model: 'nova-3',
      language: 'en-US',
      encoding: 'mulaw',
      sample_rate: '8000',
      channels: '1',
      interim_results: 'true',
      vad_events: 'true',
      endpointing: '300',
      utterance_end_ms: '1000',
      smart_format: 'true',
      punctuate: 'true',
    });
    expect(conn.headers.authorization).toBe('Token test-key');
    expect(Buffer.compare(conn.audioBytes(), Buffer.from(audio))).toBe(0);
    expect(conn.audioFrames.every((f) => f.length === 160)).toBe(true);
    expect(conn.zeroLengthFrames).toBe(0);
    expect(conn.controls.map((c) => c.type)).toEqual(['Finalize', 'CloseStream']);
    await conn.closed;
    expect(conn.closedBy).toBe('server'); // after Metadata, the server closed 1000
    expect(conn.closeCode).toBe(1000);
    expect(fake.upgrades).toHaveLength(1);
  });

  it('a wrong key throws STT_AUTH (not retryable) after exactly one upgrade attempt', async () => {
    const stt = await setup({ apiKey: 'right-key' });
    const { events, error } = await collect(stt.transcribe(mulawFrames(patternAudio(1600)), { signal: new AbortController().signal }));
    expect(error).toBeInstanceOf(SttError);
    expect(error).toMatchObject({ code: 'STT_AUTH', retryable: false, status: 401, provider: 'deepgram' });
    expect((error as Error).message).not.toContain('test-key');
    expect(events).toEqual([]);
    expect(fake.upgrades.map((u) => u.status)).toEqual([401]);
  });

  it('429 on the upgrade backs off (honouring retry-after) and then connects; no hot loop', async () => {
    const stt = await setup(
      { upgradeFault: (i) => (i === 0 ? { status: 429, retryAfter: 0.2 } : i === 1 ? { status: 429 } : undefined), script: [{ atBytes: 1600, kind: 'final', text: 'ok' }] },
      { reconnect: { initialDelayMs: 60, maxDelayMs: 1000, jitter: 0 } },
    );
    const { events, error } = await collect(stt.transcribe(mulawFrames(patternAudio(1600)), { signal: new AbortController().signal }));
    expect(error).toBeUndefined();
    expect(ofType(events, 'error').map((e) => [e.error.code, e.error.status, e.error.retryable])).toEqual([
      ['STT_RATE_LIMITED', 429, true],
      ['STT_RATE_LIMITED', 429, true],
    ]);
    expect(ofType(events, 'final').map((e) => e.text)).toEqual(['ok']);
    const at = fake.upgrades.map((u) => u.atMs);
    expect(fake.upgrades.map((u) => u.status)).toEqual([429, 429, 101]);
    // retry-after 0.2 s beats the 60 ms backoff; then the backoff grows to 120 ms.
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(190);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(110);
  });

  it('gives up with STT_RATE_LIMITED after maxAttempts retries', async () => {
    const stt = await setup({ upgradeFault: () => ({ status: 429 }) }, { reconnect: { maxAttempts: 3, initialDelayMs: 10, jitter: 0 } });
    const { events, error } = await collect(stt.transcribe(mulawFrames(patternAudio(160)), { signal: new AbortController().signal }));
    expect(error).toMatchObject({ code: 'STT_RATE_LIMITED', retryable: true });
    expect(ofType(events, 'error')).toHaveLength(3);
    expect(fake.upgrades).toHaveLength(4);
  });

  it.each(['close', 'reset'] as const)(
    'socket dropped mid-utterance (%s) → reconnect, replay of unfinalized + buffered audio, offset timestamps',
    async (fault) => {
      const drop = fault === 'close' ? ({ atBytes: 8000, kind: 'close', code: 1011, reason: 'NET-0000' } as const) : ({ atBytes: 8000, kind: 'reset' } as const);
      const stt = await setup(
        {
          script: (i) =>
            i === 0
              ? [{ atBytes: 3200, kind: 'final', text: 'one two', speechFinal: false }, { atBytes: 6400, kind: 'interim', text: 'three' }, drop]
              : [{ atBytes: 8800, kind: 'final', text: 'three four five' }],
        },
        { reconnect: { initialDelayMs: 150, jitter: 0 } },
      );
      const feed = createAudioFeed();
      const audio = patternAudio(12_000);
      const run = collect(stt.transcribe(feed, { signal: new AbortController().signal }));
      feed.push(audio.subarray(0, 8000));
      const first = await fake.waitForConnection(0);
      await first.closed;
      feed.push(audio.subarray(8000)); // while the socket is down (first retry waits 150 ms)
      const second = await fake.waitForConnection(1);
      await until(() => second.bytesReceived >= 8800);
      feed.end();
      const { events, error } = await run;
      expect(error).toBeUndefined();

      // Deepgram finalized 0.4 s (3200 bytes) on the first socket: everything after that is replayed.
      expect(Buffer.compare(second.audioBytes(), Buffer.from(audio.subarray(3200)))).toBe(0);
      const errors = ofType(events, 'error');
      expect(errors.map((e) => e.error.code)).toEqual(['STT_CONNECTION_LOST']);
      if (fault === 'close') expect(errors[0].error.closeCode).toBe(1011);
      const finals = ofType(events, 'final');
      expect(finals.map((f) => f.text)).toEqual(['one two', 'three four five']);
      // Second socket: words spread over its first 1.1 s, which starts at 400 ms of caller audio.
      expect(finals[1].words.map((w) => Math.round(w.startMs))).toEqual([400, 767, 1133]);
      expect(Math.round(finals[1].words[2].endMs)).toBe(1500);
      const all = finals.flatMap((f) => f.words.map((w) => w.startMs));
      expect([...all].sort((a, b) => a - b)).toEqual(all);
      await until(() => fake.openConnections() === 0);
    },
  );

  it('paces a replay backlog at replayRate × real time after the burst', async () => {
    const stt = await setup({}, { replayRate: 1.25, replayBurstMs: 100 });
    const feed = createAudioFeed();
    const run = collect(stt.transcribe(feed, { signal: new AbortController().signal }));
    feed.push(patternAudio(4000)); // 500 ms, pushed before the socket opens
    const conn = await fake.waitForConnection(0);
    const t0 = Date.now();
    await until(() => conn.bytesReceived === 4000);
    // 800 bytes of burst, then 3200 bytes at 10 000 B/s: at least 320 ms (a lower bound, never an upper one).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(conn.audioFrames.every((f) => f.length === 160)).toBe(true);
    feed.end();
    await run;
  });

  it('a full replay buffer drops the oldest unsent audio and reports STT_BUFFER_OVERFLOW', async () => {
    const stt = await setup(
      { script: (i) => (i === 0 ? [{ atBytes: 800, kind: 'close', code: 1011, reason: 'NET-0000' }] : [{ atBytes: 1600, kind: 'final', text: 'late words' }]) },
      { replayBufferMs: 200, reconnect: { initialDelayMs: 150, jitter: 0 } },
    );
    const feed = createAudioFeed();
    const audio = patternAudio(4800);
    const run = collect(stt.transcribe(feed, { signal: new AbortController().signal }));
    feed.push(audio.subarray(0, 800));
    await (await fake.waitForConnection(0)).closed;
    feed.push(audio.subarray(800)); // 4000 bytes into a 1600-byte ring while down
    const second = await fake.waitForConnection(1);
    await until(() => second.bytesReceived >= 1600);
    feed.end();
    const { events } = await run;
    expect(ofType(events, 'error').map((e) => e.error.code)).toEqual(['STT_CONNECTION_LOST', 'STT_BUFFER_OVERFLOW']);
    expect(Buffer.compare(second.audioBytes(), Buffer.from(audio.subarray(3200)))).toBe(0);
    // The second socket's time 0 is caller audio position 3200 bytes = 400 ms.
    expect(ofType(events, 'final')[0].words[0].startMs).toBe(400);
  });

  it('sends KeepAlive text frames while the caller is silent, so NET-0001 never fires', async () => {
    const stt = await setup({ idleTimeoutMs: 250, script: [{ atBytes: 3200, kind: 'final', text: 'still here' }] }, { keepAliveIntervalMs: 80 });
    const feed = createAudioFeed();
    const run = collect(stt.transcribe(feed, { signal: new AbortController().signal }));
    feed.push(patternAudio(1600));
    await new Promise((r) => setTimeout(r, 700)); // caller silent (e.g. STT paused during TTS)
    feed.push(patternAudio(1600, 1));
    feed.end();
    const { events, error } = await run;
    expect(error).toBeUndefined();
    expect(ofType(events, 'error')).toEqual([]);
    expect(ofType(events, 'final').map((e) => e.text)).toEqual(['still here']);
    const conn = fake.connections[0];
    expect(fake.connections).toHaveLength(1);
    expect(conn.closedBy).toBe('server');
    const keepAlives = conn.controls.filter((c) => c.type === 'KeepAlive');
    expect(keepAlives.length).toBeGreaterThanOrEqual(4);
    expect(keepAlives.every((k) => k.raw === '{"type":"KeepAlive"}')).toBe(true);
  });

  it('without KeepAlive the fake closes 1011 NET-0001 and the provider reports it and reconnects', async () => {
    const stt = await setup({ idleTimeoutMs: 150 }, { keepAliveIntervalMs: 60_000 });
    const feed = createAudioFeed();
    const ac = new AbortController();
    const events: SttEvent[] = [];
    const run = (async () => {
      for await (const e of stt.transcribe(feed, { signal: ac.signal })) {
        events.push(e);
        if (e.type === 'error') ac.abort();
      }
    })();
    feed.push(patternAudio(160));
    await run;
    expect(events.map((e) => e.type === 'error' && [e.error.code, e.error.closeCode, e.error.message])).toEqual([
      ['STT_CONNECTION_LOST', 1011, 'deepgram: closed 1011: NET-0001'],
    ]);
    expect(fake.connections[0].closedBy).toBe('idle');
  });

  it('malformed JSON yields an STT_PROTOCOL error event; later results still arrive and the stream ends cleanly', async () => {
    const stt = await setup({
      script: [
        { atBytes: 800, kind: 'raw', text: '{"type":"Results","channel":{' },
        { atBytes: 1600, kind: 'raw', text: '{"type":"Results","channel":{"alternatives":[]}}' },
        { atBytes: 2400, kind: 'final', text: 'after garbage' },
      ],
    });
    const { events, error } = await collect(stt.transcribe(mulawFrames(patternAudio(3200)), { signal: new AbortController().signal }));
    expect(error).toBeUndefined();
    expect(events.map((e) => (e.type === 'error' ? e.error.code : e.type))).toEqual(['STT_PROTOCOL', 'STT_PROTOCOL', 'final']);
    expect(events[0].type === 'error' && events[0].error.retryable).toBe(false);
    await until(() => fake.openConnections() === 0);
  });

  it('abort closes the socket (client close 1000) and ends the iterator without throwing', async () => {
    const stt = await setup({ script: [{ atBytes: 800, kind: 'interim', text: 'hello' }] });
    const feed = createAudioFeed();
    const ac = new AbortController();
    const events: SttEvent[] = [];
    feed.push(patternAudio(800));
    for await (const e of stt.transcribe(feed, { signal: ac.signal })) {
      events.push(e);
      ac.abort();
    }
    expect(events.map((e) => e.type)).toEqual(['interim']);
    const conn = fake.connections[0];
    await conn.closed;
    expect(conn).toMatchObject({ closedBy: 'client', closeCode: 1000 });
    expect(conn.controls.map((c) => c.type)).not.toContain('CloseStream');
    expect(feed.returned).toBe(true);
    expect(fake.openConnections()).toBe(0);
  });

  it('a close 1008 (DATA-0000) is fatal: STT_BAD_REQUEST, no reconnect', async () => {
    const stt = await setup({ script: [{ atBytes: 160, kind: 'close', code: 1008, reason: 'DATA-0000' }] });
    const feed = createAudioFeed();
    feed.push(patternAudio(160));
    const { error } = await collect(stt.transcribe(feed, { signal: new AbortController().signal }));
    expect(error).toMatchObject({ code: 'STT_BAD_REQUEST', closeCode: 1008, retryable: false });
    expect(fake.upgrades).toHaveLength(1);
  });

  it('gives up with STT_CONNECTION_LOST when every connection drops at once', async () => {
    const stt = await setup(
      { script: [{ atBytes: 0, kind: 'close', code: 1011, reason: 'NET-0000' }] },
      { reconnect: { maxAttempts: 2, initialDelayMs: 10, jitter: 0 } },
    );
    const feed = createAudioFeed();
    const { events, error } = await collect(stt.transcribe(feed, { signal: new AbortController().signal }));
    expect(error).toMatchObject({ code: 'STT_CONNECTION_LOST', retryable: true, closeCode: 1011 });
    expect(ofType(events, 'error')).toHaveLength(2);
    expect(fake.upgrades).toHaveLength(3);
  });

  it('rejects input in another format (STT_BAD_INPUT) and never sends zero-length frames', async () => {
    const stt = await setup();
    const feed = createAudioFeed();
    feed.push(new Uint8Array(0));
    feed.push(new Uint8Array(320), pcm16Format(8000));
    const { error } = await collect(stt.transcribe(feed, { signal: new AbortController().signal }));
    expect(error).toMatchObject({ code: 'STT_BAD_INPUT', retryable: false });
    await until(() => fake.openConnections() === 0);
    expect(fake.connections.every((c) => c.zeroLengthFrames === 0 && c.bytesReceived === 0)).toBe(true);
  });

  it('a failing input stream ends with STT_BAD_INPUT carrying the cause', async () => {
    const stt = await setup();
    const feed = createAudioFeed();
    const boom = new Error('mic unplugged');
    feed.fail(boom);
    const { error } = await collect(stt.transcribe(feed, { signal: new AbortController().signal }));
    expect(error).toMatchObject({ code: 'STT_BAD_INPUT' });
    expect((error as SttError).cause).toBe(boom);
  });
});
