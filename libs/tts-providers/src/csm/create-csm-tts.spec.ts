import { type AudioChunk, createTranscoder, MULAW_8K, pcm16Format } from '@voice/audio-codec';
import { ContextBuffer } from '@voice/context-buffer';
import { CSM_FRAME_SAMPLES, type FakeCsm, type FakeOpenAi, fakeCsmPcm, startFakeCsm, startFakeOpenAi, toneS16le } from '@voice/testing';
import { OpenAiTts } from '../openai/openai-tts';
import { drain, joined } from '../testing/drain';
import type { ClosableTtsProvider } from '../types';
import type { CsmMetricEvent } from './csm-metrics';
import { createCsmTts, type CreateCsmTtsOptions } from './create-csm-tts';

// CSM speaks a 440 Hz tone, the fallback (OpenAI speech, HTTP) a 1000 Hz one, so the bytes say who spoke.
const FALLBACK_HZ = 1000;

function mulaw(pcm24k: Uint8Array): Buffer {
  const t = createTranscoder(pcm16Format(24_000), MULAW_8K);
  return Buffer.concat([t.process(pcm24k), t.flush()]);
}
const csmAudio = (frames: number): Buffer => {
  const pcm = fakeCsmPcm(frames * CSM_FRAME_SAMPLES);
  return mulaw(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
};
const fallbackAudio = (ms: number): Buffer => mulaw(toneS16le(ms, FALLBACK_HZ));

const collect = async (it: AsyncIterable<AudioChunk>): Promise<Buffer> => joined(await drain(it));

describe('createCsmTts: CSM with fallback and backchannel', () => {
  let csm: FakeCsm;
  let openai: FakeOpenAi;
  let tts: ClosableTtsProvider;
  let events: CsmMetricEvent[];
  const signal = new AbortController().signal;
  // 'Hi there.' is 9 chars × 40 ms → 5 frames of CSM audio; the fallback says 200 ms of tone per request.
  const SENTENCE = 'Hi there.';
  const make = (o: Partial<CreateCsmTtsOptions> = {}): ClosableTtsProvider => {
    const fallback = new OpenAiTts({ apiKey: openai.apiKey, baseUrl: openai.baseUrlOpenAi, retry: { maxRetries: 0 } });
    tts = createCsmTts({ baseUrl: csm.url, fallback, timeoutMs: 3000, responseTimeoutMs: 3000, onMetric: (e) => events.push(e), ...o });
    return tts;
  };
  const kinds = (): string[] => events.map((e) => (e.kind === 'fallback' ? `fallback:${e.reason}` : e.kind === 'request' ? `request:${e.outcome}` : `backchannel:${e.text}`));

  beforeEach(async () => {
    csm = await startFakeCsm({ msPerChar: 40 });
    openai = await startFakeOpenAi({ speech: { toneMs: 200, toneHz: FALLBACK_HZ } });
    events = [];
  });
  afterEach(async () => {
    await tts.close();
    await csm.close();
    await openai.close();
  });

  it('CSM answers in time: only CSM audio, no fallback request', async () => {
    make();
    expect(tts.name).toBe('csm+openai-tts');
    expect(await collect(tts.synthesize(SENTENCE, { signal }))).toEqual(csmAudio(5));
    expect(openai.requests).toHaveLength(0);
    expect(kinds()).toEqual(['request:completed']);
  });

  it('timeout: no first audio within CSM_TIMEOUT_MS → the fallback speaks, the CSM request is aborted on the wire', async () => {
    make({ timeoutMs: 150 });
    csm.script({ firstAudioDelayMs: 5000 });
    expect(await collect(tts.synthesize(SENTENCE, { signal, context: { turnId: 't1', sentenceIndex: 0 } }))).toEqual(fallbackAudio(200));
    await csm.waitFor(() => csm.ttsRequests()[0]?.outcome === 'client-aborted' && kinds().includes('request:aborted'), 2000, 'the aborted CSM request');
    // The switch is reported at once; the aborted CSM request reports when its generator has unwound (either order).
    expect(kinds().sort()).toEqual(['fallback:timeout', 'request:aborted']);
    expect(events.find((e) => e.kind === 'fallback')).toMatchObject({ primary: 'csm', fallback: 'openai-tts', turnId: 't1', sentenceIndex: 0 });
    expect((openai.requests[0]?.json as { input?: string }).input).toBe(SENTENCE);
    // The rest of that reply stays on the fallback (one voice per reply); CSM is not asked again.
    expect(await collect(tts.synthesize('Second.', { signal, context: { turnId: 't1', sentenceIndex: 1 } }))).toEqual(fallbackAudio(200));
    expect(csm.ttsRequests()).toHaveLength(1);
  });

  it.each([
    [{ status: 503 }, 'status:503'],
    [{ status: 500 }, 'status:5xx'],
    [{ status: 502, code: 'bad_gateway' }, 'status:5xx'],
    [{ destroyAfterChunks: 0 }, 'error:TTS_CONNECTION_LOST'],
    [{ status: 422 }, 'error:TTS_BAD_REQUEST'],
  ])('CSM fails before audio (%j): the fallback speaks, reason %s', async (script, reason) => {
    make();
    csm.script(script);
    expect(await collect(tts.synthesize(SENTENCE, { signal }))).toEqual(fallbackAudio(200));
    expect(kinds()).toEqual(['request:failed', `fallback:${reason}`]);
  });

  it('413 → shrink → retry once, still 413 → the fallback speaks with reason status:413', async () => {
    make();
    csm.script({ status: 413 }, { status: 413 });
    const conversation = new ContextBuffer();
    conversation.addCallerTurn('Do you deliver?', { samples: new Int16Array(16_000).fill(500), sampleRate: 8000 });
    expect(await collect(tts.synthesize(SENTENCE, { signal, context: { turnId: 't', conversation } }))).toEqual(fallbackAudio(200));
    expect(csm.ttsRequests().map((r) => r.status)).toEqual([413, 413]);
    expect(conversation.windowSeconds).toBe(12);
    expect(kinds()).toEqual(['request:failed', 'fallback:status:413']);
  });

  it('barge-in: an abort mid-stream cancels the CSM request on the wire and starts no fallback', async () => {
    make();
    csm.script({ durationMs: 4000, chunkDelayMs: 30 });
    const ac = new AbortController();
    let chunks = 0;
    for await (const _ of tts.synthesize(SENTENCE, { signal: ac.signal, context: { turnId: 'b' } })) if (++chunks === 2) ac.abort();
    expect(chunks).toBe(2);
    await csm.waitFor(() => csm.ttsRequests()[0]?.outcome === 'client-aborted', 2000, 'the aborted CSM request');
    expect(openai.requests).toHaveLength(0);
    expect(kinds()).toEqual(['request:aborted']);
  });

  it('backchannel: a late first CSM audio gets "Mm-hm." from the fallback first, then the CSM audio, without overlap', async () => {
    make({ backchannel: { afterMs: 40 } });
    csm.script({ firstAudioDelayMs: 400 });
    const out = await collect(tts.synthesize(SENTENCE, { signal, context: { turnId: 'r1', sentenceIndex: 0 } }));
    // Byte order is play order: the whole phrase, then the whole CSM sentence.
    expect(out).toEqual(Buffer.concat([fallbackAudio(200), csmAudio(5)]));
    expect((openai.requests[0]?.json as { input?: string }).input).toBe('Mm-hm.');
    expect(kinds()).toEqual(['backchannel:Mm-hm.', 'request:completed']);
    expect(events[0]).toMatchObject({ turnId: 'r1', completed: true });
    // Only the reply's first sentence gets one.
    csm.script({ firstAudioDelayMs: 200 });
    expect(await collect(tts.synthesize(SENTENCE, { signal, context: { turnId: 'r1', sentenceIndex: 1 } }))).toEqual(csmAudio(5));
    expect(openai.requests).toHaveLength(1);
  });

  it('backchannel, then the CSM timeout: the phrase, then the fallback speaks the sentence', async () => {
    make({ backchannel: { afterMs: 40, phrases: ['Hum-hum.'] }, timeoutMs: 300 });
    csm.script({ firstAudioDelayMs: 5000 });
    const out = await collect(tts.synthesize(SENTENCE, { signal, context: { turnId: 'r2', sentenceIndex: 0 } }));
    expect(out).toEqual(Buffer.concat([fallbackAudio(200), fallbackAudio(200)]));
    expect(openai.requests.map((r) => (r.json as { input?: string }).input)).toEqual(['Hum-hum.', SENTENCE]);
    await csm.waitFor(() => csm.ttsRequests()[0]?.outcome === 'client-aborted' && kinds().includes('request:aborted'), 2000, 'the aborted CSM request');
    expect(kinds().sort()).toEqual(['backchannel:Hum-hum.', 'fallback:timeout', 'request:aborted']);
  });

  it('backchannel is off unless configured', async () => {
    make();
    csm.script({ firstAudioDelayMs: 200 });
    expect(await collect(tts.synthesize(SENTENCE, { signal, context: { turnId: 'r3', sentenceIndex: 0 } }))).toEqual(csmAudio(5));
    expect(openai.requests).toHaveLength(0);
  });
});
