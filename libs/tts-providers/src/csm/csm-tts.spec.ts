import { type AudioChunk, createTranscoder, MULAW_8K, pcm16Format, sameFormat } from '@voice/audio-codec';
import { ContextBuffer } from '@voice/context-buffer';
import { CSM_FRAME_SAMPLES, type FakeCsm, fakeCsmPcm, startFakeCsm } from '@voice/testing';
import { drain as collect, joined, ttsErrorOf as thrown } from '../testing/drain';
import type { CsmRequestMetrics, CsmMetricEvent } from './csm-metrics';
import { CsmTts, type CsmTtsOptions } from './csm-tts';

const bytesOf = (pcm: Int16Array): Uint8Array => new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);

/** What a correct client must yield for `samples` of the fake's tone: one streaming transcode of the whole PCM. */
function expectedMulaw(samples: number): Uint8Array {
  const t = createTranscoder(pcm16Format(24_000), MULAW_8K);
  return Buffer.concat([t.process(bytesOf(fakeCsmPcm(samples))), t.flush()]);
}

/** A conversation with four caller turns of 8 s each at 8 kHz: 24 s of context at the default window (4 × 6 s). */
function conversation(): ContextBuffer {
  const buffer = new ContextBuffer({ maxContextSeconds: 24 });
  for (let i = 0; i < 4; i++) buffer.addCallerTurn(`caller turn ${i}`, { samples: new Int16Array(8 * 8000).fill(1000), sampleRate: 8000 });
  return buffer;
}

describe('CsmTts', () => {
  let fake: FakeCsm;
  let provider: CsmTts;
  let metrics: CsmMetricEvent[];
  const signal = new AbortController().signal;
  const make = (o: Partial<CsmTtsOptions> = {}): CsmTts => (provider = new CsmTts({ baseUrl: fake.url, responseTimeoutMs: 2000, onMetric: (m) => metrics.push(m), ...o }));
  const requestMetrics = (): CsmRequestMetrics[] => metrics.filter((m): m is CsmRequestMetrics => m.kind === 'request');

  beforeEach(async () => {
    fake = await startFakeCsm({ msPerChar: 50 });
    metrics = [];
  });
  afterEach(async () => {
    await provider.close();
    await fake.close();
  });

  it('streams NDJSON: μ-law 8 kHz equal to one transcode of the service PCM, first 20 ms yielded on its own', async () => {
    make();
    const text = 'Hello there, how are you?'; // 25 chars × 50 ms → 16 frames
    const chunks = await collect(provider.synthesize(text, { signal }));
    expect(chunks.every((c) => sameFormat(c.format, MULAW_8K))).toBe(true);
    expect(joined(chunks)).toEqual(Buffer.from(expectedMulaw(16 * CSM_FRAME_SAMPLES)));
    expect(chunks[0]?.data.length).toBeLessThanOrEqual(160); // the first 20 ms (less the resampler's fill)
    expect(chunks.length).toBeGreaterThan(5); // 2 + 4 + 4 + 4 + 2 frames: one chunk per line, plus the split and tail
    const [req] = fake.ttsRequests();
    expect(req?.headers['accept']).toBe('application/x-ndjson');
    expect(req?.body).toEqual({ speaker_id: 0, prompt_text: text, context: [] });
    expect(requestMetrics()).toEqual([
      expect.objectContaining({ outcome: 'completed', attempts: 1, shrunk: false, status: 200, audioMs: (16 * CSM_FRAME_SAMPLES) / 24, server: expect.objectContaining({ stopReason: 'eos' }) }),
    ]);
    const m = requestMetrics()[0];
    expect(m?.ttfaMs).toBeGreaterThan(0);
    expect(m?.generationMs).toBeGreaterThanOrEqual(m?.ttfaMs ?? Infinity);
  });

  it('reuses one keep-alive connection across sentences, in both modes', async () => {
    for (const mode of ['stream', 'wav'] as const) {
      make({ mode });
      for (const t of ['One.', 'Two.', 'Three.']) await collect(provider.synthesize(t, { signal }));
      await provider.close();
    }
    expect(fake.ttsRequests()).toHaveLength(6);
    expect(fake.connectionCount()).toBe(2);
  });

  it('Accept: audio/wav: the same bytes, with the header split across body writes', async () => {
    make({ mode: 'wav' });
    fake.script({ bodyWrites: 200 }); // ~40-byte writes: the 44-byte header arrives in two pieces
    const chunks = await collect(provider.synthesize('Hello there, how are you?', { signal }));
    expect(joined(chunks)).toEqual(Buffer.from(expectedMulaw(16 * CSM_FRAME_SAMPLES)));
    expect(fake.ttsRequests()[0]?.headers['accept']).toBe('audio/wav');
    expect(requestMetrics()[0]?.server).toEqual(expect.objectContaining({ stopReason: 'eos', queuedMs: 0 }));
  });

  it('format pcm16 24 kHz passes the service audio through unchanged', async () => {
    make({ format: pcm16Format(24_000), speakerId: 7, temperature: 0.5, seed: 42 });
    const chunks = await collect(provider.synthesize('Hi there.', { signal }));
    expect(joined(chunks)).toEqual(Buffer.from(bytesOf(fakeCsmPcm(6 * CSM_FRAME_SAMPLES)))); // 9 × 50 ms → 6 frames
    expect(fake.ttsRequests()[0]?.body).toEqual({ speaker_id: 7, prompt_text: 'Hi there.', context: [], temperature: 0.5, seed: 42 });
  });

  it('WAV body split mid-sample: PCM16 chunks still hold whole samples', async () => {
    make({ mode: 'wav', format: pcm16Format(24_000) });
    fake.script({ bodyWrites: 101 }); // odd-sized writes
    const chunks = await collect(provider.synthesize('Hi there.', { signal }));
    expect(chunks.length).toBeGreaterThan(50);
    expect(chunks.every((c) => c.data.length % 2 === 0)).toBe(true);
    expect(joined(chunks)).toEqual(Buffer.from(bytesOf(fakeCsmPcm(6 * CSM_FRAME_SAMPLES))));
  });

  it('sends the conversation from TurnContext: context turns and their audio', async () => {
    make();
    const buffer = conversation();
    await collect(provider.synthesize('Sure.', { signal, context: { turnId: 't1', sentenceIndex: 0, conversation: buffer } }));
    const [req] = fake.ttsRequests();
    expect(req?.body?.context.map((t) => t.text)).toEqual(['caller turn 0', 'caller turn 1', 'caller turn 2', 'caller turn 3']);
    expect(req?.contextSeconds).toBeCloseTo(24, 6);
    expect(requestMetrics()[0]).toMatchObject({ turnId: 't1', sentenceIndex: 0, contextSeconds: 24 });
  });

  it('413: halves the window and retries once with the smaller context, which then fits', async () => {
    await fake.close();
    fake = await startFakeCsm({ msPerChar: 50, maxContextSeconds: 15 });
    make();
    const buffer = conversation();
    const chunks = await collect(provider.synthesize('Sure.', { signal, context: { turnId: 't', conversation: buffer } }));
    expect(joined(chunks).length).toBeGreaterThan(0);
    expect(fake.ttsRequests().map((r) => [r.status, r.errorCode])).toEqual([
      [413, 'context_audio_too_long'],
      [200, undefined],
    ]);
    expect(fake.ttsRequests()[1]?.contextSeconds).toBeCloseTo(12, 6);
    expect(buffer.windowSeconds).toBe(12); // later requests stay small
    expect(requestMetrics()[0]).toMatchObject({ outcome: 'completed', attempts: 2, shrunk: true, contextSeconds: 12 });
  });

  it('413 again after the shrink: TTS_BAD_REQUEST with status 413, after exactly two requests', async () => {
    make();
    fake.script({ status: 413 }, { status: 413 });
    const e = await thrown(provider.synthesize('Sure.', { signal, context: { turnId: 't', conversation: conversation() } }));
    expect(e).toMatchObject({ code: 'TTS_BAD_REQUEST', status: 413, retryable: false, provider: 'csm' });
    expect(e.message).toContain('context_too_long');
    expect(fake.ttsRequests()).toHaveLength(2);
    expect(requestMetrics()[0]).toMatchObject({ outcome: 'failed', code: 'TTS_BAD_REQUEST', attempts: 2, shrunk: true, status: 413 });
  });

  it('413 without a conversation is not retried (nothing to shrink)', async () => {
    make();
    fake.script({ status: 413 });
    expect(await thrown(provider.synthesize('Sure.', { signal }))).toMatchObject({ code: 'TTS_BAD_REQUEST', status: 413 });
    expect(fake.ttsRequests()).toHaveLength(1);
  });

  it('503 while loading: TTS_PROVIDER_ERROR, retryable, with Retry-After; a failed load is not retryable', async () => {
    make();
    fake.setStatus('loading');
    const loading = await thrown(provider.synthesize('Hello.', { signal }));
    expect(loading).toMatchObject({ code: 'TTS_PROVIDER_ERROR', status: 503, retryable: true, retryAfterMs: 2000 });
    expect(loading.message).toContain('model_loading');
    fake.setStatus('error');
    expect(await thrown(provider.synthesize('Hello.', { signal }))).toMatchObject({ code: 'TTS_PROVIDER_ERROR', status: 503, retryable: false });
    expect(fake.ttsRequests()).toHaveLength(2); // no retries by default: the fallback speaks instead
  });

  it('a 500 is TTS_PROVIDER_ERROR status 500; a 422 is TTS_BAD_REQUEST', async () => {
    make();
    fake.script({ status: 500 });
    expect(await thrown(provider.synthesize('Hello.', { signal }))).toMatchObject({ code: 'TTS_PROVIDER_ERROR', status: 500 });
    make({ speakerId: 5000 }); // out of the schema's range: the fake answers 422 like pydantic
    expect(await thrown(provider.synthesize('Hello.', { signal }))).toMatchObject({ code: 'TTS_BAD_REQUEST', status: 422, retryable: false });
  });

  it('barge-in: an abort mid-stream ends quietly and the fake sees the request aborted', async () => {
    make();
    fake.script({ durationMs: 4000, chunkDelayMs: 30 });
    const ac = new AbortController();
    let seen = 0;
    for await (const _ of provider.synthesize('A long reply that the caller interrupts.', { signal: ac.signal, context: { turnId: 'b' } })) {
      seen += 1;
      if (seen === 2) ac.abort();
    }
    expect(seen).toBe(2);
    await fake.waitFor(() => fake.ttsRequests()[0]?.outcome === 'client-aborted', 2000, 'the aborted request');
    expect(fake.ttsRequests()[0]?.audioChunks).toBeLessThan(13);
    expect(requestMetrics()[0]).toMatchObject({ outcome: 'aborted', turnId: 'b' });
  });

  it('an abort while the first audio is still being generated aborts the request too', async () => {
    make();
    fake.script({ firstAudioDelayMs: 5000 });
    const ac = new AbortController();
    const done = collect(provider.synthesize('Slow start.', { signal: ac.signal }));
    await fake.waitForTtsRequests(1);
    ac.abort();
    expect(await done).toEqual([]);
    await fake.waitFor(() => fake.ttsRequests()[0]?.outcome === 'client-aborted', 2000, 'the aborted request');
  });

  it('a stall mid-stream is TTS_TIMEOUT after responseTimeoutMs, and the request is aborted on the wire', async () => {
    make({ responseTimeoutMs: 100 });
    fake.script({ hang: 1 });
    const got: AudioChunk[] = [];
    let error: unknown;
    try {
      for await (const c of provider.synthesize('Stalls after one chunk.', { signal })) got.push(c);
    } catch (e) {
      error = e;
    }
    expect(got.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: 'TTS_TIMEOUT', retryable: true });
    await fake.waitFor(() => fake.ttsRequests()[0]?.outcome === 'client-aborted', 2000, 'the aborted request');
  });

  it('mid-stream failures: an error line, a line that is not JSON, a dropped socket', async () => {
    make();
    fake.script({ errorAfterChunks: 1 }, { malformedAfterChunks: 1 }, { destroyAfterChunks: 1 });
    expect(await thrown(provider.synthesize('Fails mid-way.', { signal }))).toMatchObject({ code: 'TTS_PROVIDER_ERROR', retryable: false });
    expect(await thrown(provider.synthesize('Fails mid-way.', { signal }))).toMatchObject({ code: 'TTS_PROTOCOL', retryable: false });
    expect(await thrown(provider.synthesize('Fails mid-way.', { signal }))).toMatchObject({ code: 'TTS_CONNECTION_LOST', retryable: true });
  });

  it('an unreachable service is TTS_CONNECTION_LOST; a bad baseUrl is TTS_INVALID_OPTIONS', async () => {
    const url = fake.url;
    await fake.close();
    provider = new CsmTts({ baseUrl: url });
    expect(await thrown(provider.synthesize('Hello.', { signal }))).toMatchObject({ code: 'TTS_CONNECTION_LOST', retryable: true });
    expect(() => new CsmTts({ baseUrl: 'ws://x' })).toThrow(expect.objectContaining({ code: 'TTS_INVALID_OPTIONS' }));
    fake = await startFakeCsm();
  });
});
