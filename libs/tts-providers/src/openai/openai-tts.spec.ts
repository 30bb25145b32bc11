import { type AudioChunk, decodeMulaw, MULAW_8K, sameFormat } from '@voice/audio-codec';
import { type FakeOpenAi, startFakeOpenAi } from '@voice/testing';
import { TtsError } from '../tts-error';
import { drain, ttsErrorOf } from '../testing/drain';
import { OpenAiTts, type OpenAiTtsOptions } from './openai-tts';

const isMulaw8k = (c: AudioChunk): void => expect(sameFormat(c.format, MULAW_8K)).toBe(true);
const chunks = async (it: AsyncIterable<AudioChunk>): Promise<Uint8Array[]> => (await drain(it, isMulaw8k)).map((c) => c.data);
const failure = (it: AsyncIterable<AudioChunk>): Promise<TtsError> => ttsErrorOf(it, isMulaw8k);

/** Dominant frequency by counting zero crossings of the decoded μ-law. */
function zeroCrossingHz(mulaw: Uint8Array): number {
  const pcm = decodeMulaw(mulaw);
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) if (((pcm[i - 1] ?? 0) < 0) !== ((pcm[i] ?? 0) < 0)) crossings += 1;
  return crossings / 2 / (pcm.length / 8000);
}

describe('OpenAiTts against the fake OpenAI speech endpoint', () => {
  let fake: FakeOpenAi;
  let tts: OpenAiTts;
  const signal = new AbortController().signal;

  async function setup(options: Partial<OpenAiTtsOptions> = {}): Promise<void> {
    fake = await startFakeOpenAi();
    tts = new OpenAiTts({ apiKey: fake.apiKey, baseUrl: fake.baseUrlOpenAi, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 5 }, ...options });
  }

  afterEach(async () => fake?.close());

  it('streams pcm 24 kHz transcoded once to μ-law 8 kHz, the first 20 ms first', async () => {
    await setup({ voice: 'coral', model: 'gpt-4o-mini-tts' });
    fake.script.speech({ toneMs: 500, toneHz: 440, chunks: 5, chunkDelayMs: 10 });
    const parts = await chunks(tts.synthesize('Hello there.', { signal }));
    const all = Buffer.concat(parts);
    // 500 ms at 8 kHz: the streaming resampler's total is exactly round(N·8000/24000) samples.
    expect(all.length).toBe(4000);
    expect(parts[0]?.length).toBeLessThanOrEqual(160);
    expect(parts.length).toBeGreaterThanOrEqual(6); // 5 network chunks, the first one split at 20 ms
    expect(zeroCrossingHz(all.subarray(400, 3600))).toBeCloseTo(440, -1);
    const [req] = fake.requests;
    expect(req?.json).toMatchObject({ model: 'gpt-4o-mini-tts', voice: 'coral', input: 'Hello there.', response_format: 'pcm' });
    expect(req?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(req?.outcome).toBe('completed');
  });

  it('on abort mid-stream: ends quietly, yields nothing more, and the request is aborted on the wire', async () => {
    await setup();
    fake.script.speech({ toneMs: 3000, chunks: 30, chunkDelayMs: 20 });
    const ac = new AbortController();
    let seen = 0;
    let after = 0;
    for await (const _ of tts.synthesize('A long answer.', { signal: ac.signal })) {
      if (ac.signal.aborted) after += 1;
      if (++seen === 2) ac.abort();
    }
    expect(after).toBe(0);
    await fake.settled();
    expect(fake.requests[0]?.outcome).toBe('client-aborted');
  });

  it('on abort before the response: ends quietly and aborts the request', async () => {
    await setup();
    fake.script.speech({ headersDelayMs: 5000 });
    const ac = new AbortController();
    void fake.waitForRequests(1).then(() => ac.abort()); // abort once the request is at the fake, before its headers
    expect(await chunks(tts.synthesize('Slow to start.', { signal: ac.signal }))).toEqual([]);
    await fake.settled();
    expect(fake.requests[0]?.outcome).toBe('client-aborted');
  });

  it('wrong key: TTS_AUTH, not retryable, one request only', async () => {
    await setup({ apiKey: 'sk-wrong-key-123456', retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const e = await failure(tts.synthesize('Hello.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_AUTH', retryable: false, status: 401, provider: 'openai-tts' });
    expect(e.message).not.toContain('sk-wrong-key-123456');
    expect(fake.requests).toHaveLength(1);
  });

  it('429: honours retry-after within the cap, retries a bounded number of times, then TTS_RATE_LIMITED', async () => {
    await setup({ retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 20 } });
    fake.script.speech({ status: 429, retryAfter: '0' }, { status: 429, retryAfter: '30' }, { status: 429 });
    const e = await failure(tts.synthesize('Hello.', { signal }));
    expect(e).toMatchObject({ code: 'TTS_RATE_LIMITED', retryable: true, status: 429 });
    expect(fake.requests).toHaveLength(3);
    fake.script.speech({ status: 503 }, {});
    expect(Buffer.concat(await chunks(tts.synthesize('Hello.', { signal }))).length).toBe(4000);
  });

  it('a socket destroyed mid-body after audio went out: TTS_CONNECTION_LOST, no retry', async () => {
    await setup({ retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    fake.script.speech({ toneMs: 1000, chunks: 10, destroyAfterChunks: 3, chunkDelayMs: 10 });
    const got: number[] = [];
    let error: unknown;
    try {
      for await (const c of tts.synthesize('Cut off.', { signal })) got.push(c.data.length);
    } catch (e) {
      error = e;
    }
    expect(got.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: 'TTS_CONNECTION_LOST', retryable: true });
    expect(fake.requests).toHaveLength(1);
  });

  it('a request that never answers, or a body that stalls: TTS_TIMEOUT, and the request is aborted', async () => {
    await setup({ responseTimeoutMs: 100 });
    fake.script.speech({ hang: 'before-headers' }, { toneMs: 1000, chunks: 10, chunkDelayMs: 5, hang: 2 });
    expect(await failure(tts.synthesize('Anyone?', { signal }))).toMatchObject({ code: 'TTS_TIMEOUT', retryable: true });
    expect(await failure(tts.synthesize('Anyone?', { signal }))).toMatchObject({ code: 'TTS_TIMEOUT', retryable: true });
    await fake.settled();
    expect(fake.requests.map((r) => r.outcome)).toEqual(['client-aborted', 'client-aborted']);
  });

  it('empty text makes no request', async () => {
    await setup();
    expect(await chunks(tts.synthesize('  ', { signal }))).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });
});
