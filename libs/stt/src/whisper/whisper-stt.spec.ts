import { decodeMulaw, readWav } from '@voice/audio-codec';
import { type FakeOpenAi, type FakeOpenAiOptions, startFakeOpenAi, type UploadedFile } from '@voice/testing';
import { collect, createAudioFeed, mulawFrames } from '../testing/audio-feed';
import { concatPcm, quietNoise, syntheticVowel, utteranceMulaw } from '../testing/synthetic-speech';
import { encodeMulaw } from '@voice/audio-codec';
import type { SttEvent } from '../types';
import type { WhisperSttOptions } from './whisper-options';
import { createWhisperStt } from './whisper-stt';

let fake: FakeOpenAi;
afterEach(async () => {
  await fake?.close();
});

async function setup(fakeOpts: FakeOpenAiOptions = {}, opts: Partial<WhisperSttOptions> = {}) {
  fake = await startFakeOpenAi(fakeOpts);
  return createWhisperStt({
    apiKey: 'test-key',
    baseUrl: fake.baseUrlOpenAi,
    vad: { hangoverMs: 300 },
    retry: { initialDelayMs: 20, jitter: 0 },
    ...opts,
  });
}

type Ev<T extends SttEvent['type']> = Extract<SttEvent, { type: T }>;
const signal = () => new AbortController().signal;
const types = (events: SttEvent[]) => events.map((e) => (e.type === 'error' ? `error:${e.error.code}` : e.type));

describe('createWhisperStt against the fake OpenAI', () => {
  it('VAD onset → speech_started; the segment is uploaded as a PCM16 8 kHz WAV → final + utterance_end', async () => {
    const stt = await setup({ transcription: { text: 'Book a table, please.' } });
    const audio = utteranceMulaw(600, 800, 800);
    const { events, error } = await collect(stt.transcribe(mulawFrames(audio), { signal: signal() }));
    expect(error).toBeUndefined();
    expect(types(events)).toEqual(['speech_started', 'final', 'utterance_end']);
    const [started, final, end] = events as [Ev<'speech_started'>, Ev<'final'>, Ev<'utterance_end'>];
    if (started.atMs === undefined) throw new Error('speech_started without atMs');
    expect(started.atMs).toBeGreaterThanOrEqual(560);
    expect(started.atMs).toBeLessThanOrEqual(660);
    expect(final).toMatchObject({ text: 'Book a table, please.', speechFinal: true });
    expect(final.words.map((w) => w.word)).toEqual(['Book', 'a', 'table,', 'please.']);
    expect(final.words[0].startMs).toBe(started.atMs);
    expect(final.words[3].endMs).toBeGreaterThanOrEqual(1380);
    expect(final.words[3].endMs).toBeLessThanOrEqual(1560);
    expect(end.lastWordEndMs).toBe(final.words[3].endMs);

    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0];
    expect(req.path).toBe('/v1/audio/transcriptions');
    expect(req.headers.authorization).toBe('Bearer test-key');
    expect(req.form?.fields).toMatchObject({ model: 'whisper-1', response_format: 'json' });
    const file = req.form?.files['file'] as UploadedFile;
    expect(file.filename).toBe('speech.wav');
    const wav = readWav(file.data);
    expect(wav.sampleRate).toBe(8000);
    // The upload holds the caller's samples from 300 ms (pre-roll) before the onset.
    const startSample = ((started.atMs - 300) * 8000) / 1000;
    const expected = decodeMulaw(audio).subarray(startSample, startSample + wav.samples.length);
    expect(Array.from(wav.samples)).toEqual(Array.from(expected));
    expect(wav.samples.length / 8).toBeGreaterThan(800 + 300);
  });

  it('two utterances: two uploads in order, each final followed by its utterance_end', async () => {
    const stt = await setup();
    fake.script.transcription({ text: 'first one' }, { text: 'second one' });
    const audio = encodeMulaw(concatPcm(quietNoise(400), syntheticVowel(500), quietNoise(900), syntheticVowel(500), quietNoise(700)));
    const { events } = await collect(stt.transcribe(mulawFrames(audio), { signal: signal() }));
    const finals = events.filter((e) => e.type === 'final').map((e) => e.type === 'final' && e.text);
    expect(finals).toEqual(['first one', 'second one']);
    const afterFinals = types(events).filter((t) => t === 'final' || t === 'utterance_end');
    expect(afterFinals).toEqual(['final', 'utterance_end', 'final', 'utterance_end']);
    expect(types(events).filter((t) => t === 'speech_started')).toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });

  it('uploadSampleRate 16000 resamples the segment before upload', async () => {
    const stt = await setup({}, { uploadSampleRate: 16000 });
    await collect(stt.transcribe(mulawFrames(utteranceMulaw(400, 600, 600)), { signal: signal() }));
    const wav = readWav((fake.requests[0].form?.files['file'] as UploadedFile).data);
    expect(wav.sampleRate).toBe(16000);
    expect(wav.samples.length % 320).toBe(0); // whole 20 ms frames at 16 kHz
  });

  it('a wrong key throws STT_AUTH after one request, without the key in the message', async () => {
    const stt = await setup({ apiKey: 'other-key' });
    const { events, error } = await collect(stt.transcribe(mulawFrames(utteranceMulaw(300, 500, 600)), { signal: signal() }));
    expect(error).toMatchObject({ code: 'STT_AUTH', status: 401, retryable: false, provider: 'whisper' });
    expect((error as Error).message).not.toContain('test-key');
    expect(types(events)).toEqual(['speech_started']);
    expect(fake.requests).toHaveLength(1);
  });

  it('429 is retried after retry-after (capped), and reported as an error event', async () => {
    const stt = await setup({}, { retry: { initialDelayMs: 10, jitter: 0, maxRetryAfterMs: 250 } });
    fake.script.transcription({ status: 429, retryAfter: '60' }, { text: 'made it' });
    const t0 = Date.now();
    const { events } = await collect(stt.transcribe(mulawFrames(utteranceMulaw(300, 500, 600)), { signal: signal() }));
    expect(types(events)).toEqual(['speech_started', 'error:STT_RATE_LIMITED', 'final', 'utterance_end']);
    expect(fake.requests).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240); // waited the capped retry-after, not 60 s
  });

  it('persistent 5xx: bounded retries, the segment is dropped, the stream goes on and ends cleanly', async () => {
    const stt = await setup({ transcription: { status: 503 } }, { retry: { maxAttempts: 2, initialDelayMs: 5, jitter: 0 } });
    const { events, error } = await collect(stt.transcribe(mulawFrames(utteranceMulaw(300, 500, 600)), { signal: signal() }));
    expect(error).toBeUndefined();
    expect(types(events)).toEqual(['speech_started', 'error:STT_PROVIDER_ERROR', 'error:STT_PROVIDER_ERROR', 'error:STT_PROVIDER_ERROR', 'utterance_end']);
    expect(fake.requests).toHaveLength(3);
  });

  it('a malformed response body yields STT_PROTOCOL and the stream ends cleanly', async () => {
    const stt = await setup({ transcription: { text: (() => 42) as unknown as string } });
    const { events, error } = await collect(stt.transcribe(mulawFrames(utteranceMulaw(300, 500, 600)), { signal: signal() }));
    expect(error).toBeUndefined();
    expect(types(events)).toEqual(['speech_started', 'error:STT_PROTOCOL', 'utterance_end']);
    expect(events[1].type === 'error' && events[1].error.retryable).toBe(false);
  });

  it('abort while a request is in flight ends quietly and aborts the request on the wire', async () => {
    const stt = await setup({ transcription: { hang: 'before-headers' } });
    const feed = createAudioFeed();
    const ac = new AbortController();
    feed.push(utteranceMulaw(300, 500, 600));
    const seen: SttEvent[] = [];
    const run = (async () => {
      for await (const e of stt.transcribe(feed, { signal: ac.signal })) seen.push(e);
    })();
    const [req] = await fake.waitForRequests(1);
    ac.abort();
    await run;
    expect(types(seen)).toEqual(['speech_started']);
    await req.settled;
    expect(req.clientAborted).toBe(true);
    expect(feed.returned).toBe(true);
  });

  it('speech shorter than minSpeechMs is not uploaded', async () => {
    // fvad holds speech ~100 ms past its end, so a 120 ms blip measures ≈ 220 ms.
    const stt = await setup({}, { vad: { hangoverMs: 300, minSpeechMs: 300 } });
    const { events } = await collect(stt.transcribe(mulawFrames(utteranceMulaw(300, 120, 600)), { signal: signal() }));
    expect(types(events)).toEqual(['speech_started', 'utterance_end']);
    expect(fake.requests).toHaveLength(0);
  });

  it('wordTimestamps asks whisper-1 for verbose_json word granularity', async () => {
    const stt = await setup({ transcription: { text: 'hello there' } }, { wordTimestamps: true });
    const { events } = await collect(stt.transcribe(mulawFrames(utteranceMulaw(300, 500, 600)), { signal: signal() }));
    const form = fake.requests[0].form;
    expect(form?.fields['response_format']).toBe('verbose_json');
    expect(form?.entries.filter((e) => e.name.startsWith('timestamp_granularities')).map((e) => e.value)).toEqual(['word']);
    expect(types(events)).toEqual(['speech_started', 'final', 'utterance_end']);
  });
});
