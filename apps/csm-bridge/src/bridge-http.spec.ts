import { CSM_FRAME_SAMPLES, fakeCsmPcm } from '@voice/testing';
import { expectedMulaw, type Harness, startHarness } from './bridge.spec-helper';

const synthesize = (h: Harness, body: unknown, accept?: string, signal?: AbortSignal): Promise<Response> =>
  fetch(`${h.http}/synthesize`, { method: 'POST', headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) }, body: JSON.stringify(body), signal });

describe('csm-bridge HTTP', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('GET /health mirrors csm-gpu (loading, ok) and counts sessions; /ready is 503 until ok', async () => {
    h = await startHarness({ csm: { status: 'loading' } });
    expect(await (await fetch(`${h.http}/health`)).json()).toEqual({ status: 'loading', model_loaded: false, device: 'cpu', error: null, sessions: 0 });
    const notReady = await fetch(`${h.http}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ error: { code: 'CSM_NOT_READY', retryable: true } });
    h.csm.setStatus('ok');
    expect(await (await fetch(`${h.http}/health`)).json()).toEqual({ status: 'ok', model_loaded: true, device: 'cpu', error: null, sessions: 0 });
    expect((await fetch(`${h.http}/ready`)).status).toBe(200);
  });

  it('GET /health says error when csm-gpu is unreachable', async () => {
    h = await startHarness();
    await h.csm.close();
    const body = (await (await fetch(`${h.http}/health`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'error', model_loaded: false, error: expect.stringContaining('unreachable') });
  });

  it('POST /synthesize: μ-law 8 kHz (audio/basic) by default, 24 kHz WAV on request, JSON on Accept', async () => {
    h = await startHarness();
    const text = 'Hello, this is a test.'; // 22 chars × 50 ms → 14 frames
    const raw = await synthesize(h, { text });
    expect(raw.headers.get('content-type')).toBe('audio/basic');
    expect(Buffer.from(await raw.arrayBuffer())).toEqual(expectedMulaw(14 * CSM_FRAME_SAMPLES));
    expect(raw.headers.get('x-duration-ms')).toBe(String(Math.round(expectedMulaw(14 * CSM_FRAME_SAMPLES).length / 8)));

    const wav = Buffer.from(await (await synthesize(h, { text, format: 'wav' })).arrayBuffer());
    expect(wav.readUInt32LE(24)).toBe(24_000);
    const pcm = new Int16Array(Buffer.from(wav.subarray(44)).buffer.slice(0));
    expect(pcm).toEqual(fakeCsmPcm(14 * CSM_FRAME_SAMPLES));

    const json = (await (await synthesize(h, { text, max_audio_length_ms: 400 }, 'application/json')).json()) as Record<string, unknown>;
    expect(json).toEqual({ audio_base64: expect.any(String), duration_ms: 400, generation_time_ms: expect.any(Number), format: 'mulaw_8khz' });
    expect(h.csm.ttsRequests()[2]?.body).toMatchObject({ max_audio_length_ms: 400, context: [] });
  });

  it('POST /synthesize errors: 400 bad body, 404 unknown profile, 503 passed through while csm-gpu loads', async () => {
    h = await startHarness();
    expect((await synthesize(h, { text: '' })).status).toBe(400);
    expect((await synthesize(h, { text: 'Hi.', format: 'mp3' })).status).toBe(400);
    const unknown = await synthesize(h, { text: 'Hi.', voice_profile_id: 'nobody' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'UNKNOWN_PROFILE' } });
    h.csm.setStatus('loading');
    const loading = await synthesize(h, { text: 'Hi.' });
    expect(loading.status).toBe(503);
    expect(loading.headers.get('retry-after')).toBe('2');
    expect(await loading.json()).toMatchObject({ error: { code: 'TTS_PROVIDER_ERROR', retryable: true } });
    expect((await fetch(`${h.http}/nothing`)).status).toBe(404);
  });

  it('a client that leaves POST /synthesize cancels the CSM request', async () => {
    h = await startHarness();
    h.csm.script({ firstAudioDelayMs: 5000 });
    const ac = new AbortController();
    const pending = synthesize(h, { text: 'Slow.' }, undefined, ac.signal);
    await h.csm.waitForTtsRequests(1);
    ac.abort();
    await expect(pending).rejects.toThrow();
    await h.csm.waitFor(() => h.csm.ttsRequests()[0]?.outcome === 'client-aborted', 2000, 'the aborted CSM request');
  });
});
