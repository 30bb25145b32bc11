import { CSM_FRAME_SAMPLES, csmWav, fakeCsmPcm } from './fake-csm-audio';
import { type FakeCsm, startFakeCsm } from './fake-csm';

const post = (fake: FakeCsm, body: unknown, accept?: string, path = '/tts', signal?: AbortSignal): Promise<Response> =>
  fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });

const pcmOf = (bytes: Buffer): Int16Array => {
  const copy = Buffer.from(bytes); // aligned copy
  return new Int16Array(copy.buffer, copy.byteOffset, copy.length / 2);
};

/** An 8 kHz mono PCM16 WAV of `seconds` (silence), base64, as the context buffer sends snippets. */
const clip = (seconds: number, rate = 8000): string => csmWav(new Int16Array(Math.round(seconds * rate)), rate).toString('base64');

describe('startFakeCsm', () => {
  let fake: FakeCsm;
  afterEach(async () => {
    await fake.close();
  });

  it('reports loading on /health and answers /tts 503 model_loading with Retry-After: 2, then ok', async () => {
    fake = await startFakeCsm({ status: 'loading' });
    expect(await (await fetch(`${fake.url}/health`)).json()).toEqual({ status: 'loading', model_loaded: false, device: 'cpu', error: null });
    expect((await fetch(`${fake.url}/ready`)).status).toBe(503);
    const res = await post(fake, { speaker_id: 0, prompt_text: 'Hi.' }, 'audio/wav');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ error: { code: 'model_loading', message: expect.any(String), retryable: true } });
    fake.setStatus('ok');
    expect(await (await fetch(`${fake.url}/health`)).json()).toMatchObject({ status: 'ok', model_loaded: true });
    expect((await post(fake, { speaker_id: 0, prompt_text: 'Hi.' }, 'audio/wav')).status).toBe(200);
  });

  it('a failed load is 503 model_failed, not retryable, with the error on /health', async () => {
    fake = await startFakeCsm();
    fake.setStatus('error', 'OSError: no weights');
    expect(await (await fetch(`${fake.url}/health`)).json()).toMatchObject({ status: 'error', error: 'OSError: no weights' });
    const res = await post(fake, { speaker_id: 0, prompt_text: 'Hi.' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toMatchObject({ error: { code: 'model_failed', retryable: false } });
  });

  it('Accept: audio/wav gives a 24 kHz mono PCM16 WAV whose length follows the text, capped by max_audio_length_ms', async () => {
    fake = await startFakeCsm({ msPerChar: 50 });
    const text = 'Twenty characters!!!'; // 20 chars × 50 ms = 1000 ms → 13 frames (ceil 12.5)
    const res = await post(fake, { speaker_id: 0, prompt_text: text }, 'audio/wav');
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const wav = Buffer.from(await res.arrayBuffer());
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(24_000);
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt16LE(34)).toBe(16);
    const pcm = pcmOf(wav.subarray(44));
    expect(pcm.length).toBe(13 * CSM_FRAME_SAMPLES);
    expect(pcm).toEqual(fakeCsmPcm(13 * CSM_FRAME_SAMPLES));
    expect(res.headers.get('x-csm-samples')).toBe(String(13 * CSM_FRAME_SAMPLES));
    expect(res.headers.get('x-csm-stop-reason')).toBe('eos');
    const capped = await post(fake, { speaker_id: 0, prompt_text: text, max_audio_length_ms: 400 }, 'audio/wav');
    expect((await capped.arrayBuffer()).byteLength).toBe(44 + 5 * CSM_FRAME_SAMPLES * 2);
    expect(fake.ttsRequests().map((r) => [r.mode, r.outcome, r.status])).toEqual([
      ['wav', 'completed', 200],
      ['wav', 'completed', 200],
    ]);
  });

  it('streams NDJSON (Accept or /tts/stream): start, contiguous audio lines 160 ms then 320 ms, end; equal to the WAV', async () => {
    fake = await startFakeCsm({ msPerChar: 100 });
    const body = { speaker_id: 0, prompt_text: 'Ten chars.' }; // 1000 ms → 13 frames: 2 + 4 + 4 + 3
    for (const [accept, path] of [
      ['application/x-ndjson', '/tts'],
      [undefined, '/tts/stream'],
    ] as const) {
      const text = await (await post(fake, body, accept, path)).text();
      const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toEqual({ type: 'start', sample_rate: 24_000, encoding: 'pcm_s16le', channels: 1 });
      const audio = lines.filter((l) => l['type'] === 'audio');
      expect(audio.map((l) => l['samples'])).toEqual([2, 4, 4, 3].map((f) => f * CSM_FRAME_SAMPLES));
      expect(audio.map((l) => l['seq'])).toEqual([0, 1, 2, 3]);
      let next = 0;
      for (const l of audio) {
        expect(l['start_sample']).toBe(next);
        next += l['samples'] as number;
      }
      const pcm = pcmOf(Buffer.concat(audio.map((l) => Buffer.from(l['audio'] as string, 'base64'))));
      expect(pcm).toEqual(fakeCsmPcm(13 * CSM_FRAME_SAMPLES));
      expect(lines.at(-1)).toMatchObject({ type: 'end', stop_reason: 'eos', frames: 13, samples: 13 * CSM_FRAME_SAMPLES, duration_ms: 1040 });
    }
  });

  it('any other Accept gives the JSON form with a base64 WAV', async () => {
    fake = await startFakeCsm({ msPerChar: 10 });
    const json = (await (await post(fake, { speaker_id: 3, prompt_text: 'Hello.' }, 'application/json')).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ format: 'wav', sample_rate: 24_000, samples: CSM_FRAME_SAMPLES, frames: 1, stop_reason: 'eos' });
    expect(Buffer.from(json['audio_base64'] as string, 'base64').length).toBe(44 + 2 * CSM_FRAME_SAMPLES);
  });

  it('422 invalid_request for schema violations, listing the fields without echoing input', async () => {
    fake = await startFakeCsm();
    const res = await post(fake, { speaker_id: 2000, prompt_text: '', context: [{ speaker_id: 1 }] }, 'audio/wav');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { errors: Array<{ loc: unknown[] }> } } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.errors.map((e) => e.loc.join('.'))).toEqual(['body.speaker_id', 'body.prompt_text', 'body.context.0.text']);
    expect((await post(fake, '{not json', 'audio/wav')).status).toBe(422);
    expect((await post(fake, { speaker_id: 0, prompt_text: 'x', context: [{ speaker_id: 1, text: 'a', audio: 'bm90IGEgd2F2' }] })).status).toBe(422);
  });

  it('413 context_audio_too_long for a clip or a total over the caps, 413 body_too_large over the byte cap', async () => {
    fake = await startFakeCsm({ maxClipSeconds: 3, maxContextSeconds: 5, maxBodyBytes: 200_000 });
    const turns = (...secs: number[]) => secs.map((s, i) => ({ speaker_id: i % 2, text: `turn ${i}`, audio: clip(s) }));
    const one = await post(fake, { speaker_id: 0, prompt_text: 'Hi.', context: turns(2, 3.5) }, 'audio/wav');
    expect(one.status).toBe(413);
    expect(await one.json()).toMatchObject({ error: { code: 'context_audio_too_long', retryable: false, details: { clip_index: 1, seconds: 3.5 } } });
    const total = await post(fake, { speaker_id: 0, prompt_text: 'Hi.', context: turns(3, 3) }, 'audio/wav');
    expect(await total.json()).toMatchObject({ error: { code: 'context_audio_too_long', details: { seconds: 6 } } });
    const fits = await post(fake, { speaker_id: 0, prompt_text: 'Hi.', context: [...turns(2, 2.5), { speaker_id: 1, text: 'no audio' }] }, 'audio/wav');
    expect(fits.status).toBe(200);
    await fits.arrayBuffer();
    expect(fake.ttsRequests()[2]?.contextSeconds).toBeCloseTo(4.5, 6);
    expect(fake.ttsRequests()[2]?.clips.map((c) => c.sampleRate)).toEqual([8000, 8000]);
    const big = await post(fake, { speaker_id: 0, prompt_text: 'x'.repeat(3000), context: turns(1, 1, 1, 1, 1, 1, 1).map((t) => ({ ...t, text: 'y'.repeat(3999) })).concat(turns(2.9)) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'body_too_large' } });
  });

  it('scripts: a scripted status with the service error body, a slow first audio, a mid-stream error line', async () => {
    fake = await startFakeCsm({ msPerChar: 100 });
    fake.script({ status: 500 }, { firstAudioDelayMs: 150 }, { errorAfterChunks: 1 });
    const failed = await post(fake, { speaker_id: 0, prompt_text: 'Hello there.' }, 'application/x-ndjson');
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { code: 'generation_failed', retryable: false } });
    const t0 = Date.now();
    const slow = await post(fake, { speaker_id: 0, prompt_text: 'Hello there.' }, 'application/x-ndjson');
    expect(slow.status).toBe(200); // the start line comes at once, the first audio later
    const stream = slow.body;
    if (!stream) throw new Error('no body');
    const reader = stream.getReader();
    let text = '';
    while (!text.includes('"type": "audio"') && !text.includes('"type":"audio"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await reader.cancel();
    const errored = (await (await post(fake, { speaker_id: 0, prompt_text: 'Hello there.' }, 'application/x-ndjson')).text()).trimEnd().split('\n');
    expect(errored.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['start', 'audio', 'error']);
    expect(JSON.parse(errored[2] ?? '{}')).toEqual({ type: 'error', error: { code: 'generation_failed', message: expect.any(String), retryable: false } });
  });

  it('records a client abort during a hang, and requires the bearer key when started with one', async () => {
    fake = await startFakeCsm({ apiKey: 'proxy-key' });
    expect((await post(fake, { speaker_id: 0, prompt_text: 'Hi.' })).status).toBe(401);
    fake.script({ hang: 'before-headers' });
    const ac = new AbortController();
    const pending = fetch(`${fake.url}/tts`, {
      method: 'POST',
      headers: { authorization: 'Bearer proxy-key', accept: 'audio/wav' },
      body: JSON.stringify({ speaker_id: 0, prompt_text: 'Hi.' }),
      signal: ac.signal,
    });
    await fake.waitForTtsRequests(2);
    expect(fake.inFlight()).toBe(1);
    ac.abort();
    await expect(pending).rejects.toThrow();
    await fake.waitFor(() => fake.ttsRequests()[1]?.outcome === 'client-aborted', 2000, 'a client abort');
    expect(fake.inFlight()).toBe(0);
  });
});
