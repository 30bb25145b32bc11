import { CSM_FRAME_SAMPLES } from '@voice/testing';
import { Client, expectedMulaw, type Harness, startHarness } from './bridge.spec-helper';

const AUDIO_KEYS = ['audio_base64', 'duration_ms', 'format', 'generation_time_ms', 'type'];

describe('csm-bridge WebSocket /v1/native/ws/:sessionId (the CSM WebSocket protocol, README)', () => {
  let h: Harness;
  const clients: Client[] = [];
  const connect = async (id = 'test-session', options = {}): Promise<Client> => {
    const c = new Client(h.ws(id), options);
    clients.push(c);
    return c.open();
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await h.close();
  });

  it('the wscat session of the README: ping → pong, synthesize → μ-law 8 kHz audio messages, one per chunk', async () => {
    h = await startHarness();
    const c = await connect();
    c.send('{"type": "ping"}');
    await c.until((x) => x.raw.length === 1, 'pong');
    expect(c.raw[0]).toBe('{"type":"pong"}');
    c.send('{"type": "synthesize", "text": "Hello world", "voice_profile_id": "default"}');
    // 11 chars × 50 ms → 7 frames (560 ms) → 4480 μ-law bytes, as one transcode of the service's 24 kHz PCM.
    const expected = expectedMulaw(7 * CSM_FRAME_SAMPLES);
    await c.until((x) => x.audio().length >= expected.length, 'all audio');
    expect(c.audio()).toEqual(expected);
    const audio = c.of('audio');
    for (const m of audio) {
      expect(Object.keys(m).sort()).toEqual(AUDIO_KEYS);
      expect(m['format']).toBe('mulaw_8khz');
      expect(m['duration_ms']).toBe(Math.round(Buffer.from(m['audio_base64'] as string, 'base64').length / 8));
      expect(Number.isInteger(m['generation_time_ms'])).toBe(true);
    }
    // The stream's lines are 160 ms then 320 ms of audio; the first 20 ms leave at once, so the first message is short.
    expect(audio.length).toBeGreaterThanOrEqual(3);
    expect(Buffer.from(audio[0]?.['audio_base64'] as string, 'base64').length).toBeLessThanOrEqual(160);
    expect(c.of('done')).toEqual([]); // nothing beyond the base protocol unless a request_id asks for it
    expect(h.csm.ttsRequests()[0]?.body).toMatchObject({ speaker_id: 0, prompt_text: 'Hello world', context: [] });
  });

  it('keeps a context per session: the next request carries the previous sentence and its 24 kHz audio', async () => {
    h = await startHarness({ profiles: [{ id: 'ava', speakerId: 3 }] });
    const c = await connect('ctx-session');
    c.send(JSON.stringify({ type: 'synthesize', text: 'First sentence.', voice_profile_id: 'ava', request_id: 'a' }));
    await c.until((x) => x.of('done').length === 1, 'first done');
    c.send(JSON.stringify({ type: 'synthesize', text: 'Second one.', voice_profile_id: 'ava', request_id: 'b' }));
    await c.until((x) => x.of('done').length === 2, 'second done');
    const [first, second] = h.csm.ttsRequests();
    expect(first?.body).toMatchObject({ speaker_id: 3, context: [] });
    expect(second?.body?.speaker_id).toBe(3);
    expect(second?.body?.context.map((t) => [t.speaker_id, t.text])).toEqual([[3, 'First sentence.']]);
    expect(second?.clips).toEqual([expect.objectContaining({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 })]);
    expect(second?.clips[0]?.seconds).toBeCloseTo((10 * CSM_FRAME_SAMPLES) / 24_000, 6); // 15 chars → 10 frames
    // Another session has its own (empty) context.
    const other = await connect('other-session');
    other.send(JSON.stringify({ type: 'synthesize', text: 'Hi.', voice_profile_id: 'ava', request_id: 'c' }));
    await other.until((x) => x.of('done').length === 1, 'other done');
    expect(h.csm.ttsRequests()[2]?.body?.context).toEqual([]);
  });

  it('a profile with a reference clip seeds the context with it', async () => {
    const reference = { text: 'Hi, this is Ava.', audio: { samples: new Int16Array(16_000).fill(300), sampleRate: 16_000 } };
    h = await startHarness({ profiles: [{ id: 'ava', speakerId: 2, reference }] });
    const c = await connect();
    c.send(JSON.stringify({ type: 'synthesize', text: 'Welcome back.', voice_profile_id: 'ava', request_id: 'r' }));
    await c.until((x) => x.of('done').length === 1, 'done');
    const [req] = h.csm.ttsRequests();
    expect(req?.body?.context.map((t) => [t.speaker_id, t.text])).toEqual([[2, 'Hi, this is Ava.']]);
    expect(req?.clips[0]?.seconds).toBeCloseTo(1, 6);
  });

  it('request_id: echoed on audio, then a done message with the totals', async () => {
    h = await startHarness();
    const c = await connect();
    c.send(JSON.stringify({ type: 'synthesize', text: 'Hello world', voice_profile_id: 'default', request_id: 'req-1' }));
    await c.until((x) => x.of('done').length === 1, 'done');
    expect(c.of('audio').every((m) => m['request_id'] === 'req-1')).toBe(true);
    expect(c.messages.at(-1)).toEqual({ type: 'done', request_id: 'req-1', duration_ms: 560, generation_time_ms: expect.any(Number) });
    expect(c.audio('req-1')).toEqual(expectedMulaw(7 * CSM_FRAME_SAMPLES));
  });

  it('requests are spoken in order, never interleaved', async () => {
    h = await startHarness({ csm: { frameMs: 2 } });
    const c = await connect();
    for (const id of ['x', 'y', 'z']) c.send(JSON.stringify({ type: 'synthesize', text: `Sentence ${id}.`, request_id: id }));
    await c.until((x) => x.of('done').length === 3, 'three done');
    const order = c.messages.map((m) => m['request_id']);
    expect(order).toEqual([...order].sort()); // all x, then all y, then all z
    expect(h.csm.ttsRequests().map((r) => r.body?.prompt_text)).toEqual(['Sentence x.', 'Sentence y.', 'Sentence z.']);
  });

  it('bad input gets a coded error and the session goes on', async () => {
    h = await startHarness();
    const c = await connect();
    c.send('not json');
    c.send('{"type":"synthesize","text":""}');
    c.send('{"type":"dance"}');
    c.send('{"type":"synthesize","text":"Hi.","voice_profile_id":"nobody","request_id":"q"}');
    c.send('{"type":"ping"}');
    await c.until((x) => x.of('pong').length === 1, 'pong');
    expect(c.of('error').map((m) => m['code'])).toEqual(['BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'UNKNOWN_PROFILE']);
    expect(c.of('error')[3]).toMatchObject({ request_id: 'q', error: expect.stringContaining('nobody') });
    expect(h.csm.ttsRequests()).toHaveLength(0);
  });

  it('CSM failures come back as error messages with the provider code', async () => {
    h = await startHarness();
    h.csm.setStatus('loading');
    const c = await connect();
    c.send('{"type":"synthesize","text":"Hello.","voice_profile_id":"default"}');
    await c.until((x) => x.of('error').length === 1, 'error');
    expect(c.of('error')[0]).toEqual({ type: 'error', error: expect.stringContaining('model_loading'), code: 'TTS_PROVIDER_ERROR', retryable: true });
    h.csm.setStatus('ok');
    h.csm.script({ errorAfterChunks: 1 });
    c.send('{"type":"synthesize","text":"Hello there.","voice_profile_id":"default","request_id":"m"}');
    await c.until((x) => x.of('error').length === 2, 'second error');
    expect(c.of('audio').length).toBeGreaterThan(0);
    expect(c.of('error')[1]).toMatchObject({ code: 'TTS_PROVIDER_ERROR', request_id: 'm', retryable: false });
    expect(c.of('done')).toEqual([]);
  });

  it('cancel (barge-in) aborts the CSM request on the wire and drops the queue', async () => {
    h = await startHarness();
    h.csm.script({ durationMs: 5000, chunkDelayMs: 40 });
    const c = await connect();
    c.send('{"type":"synthesize","text":"A long answer.","request_id":"long"}');
    c.send('{"type":"synthesize","text":"Queued.","request_id":"queued"}');
    await c.until((x) => x.of('audio').length >= 2, 'some audio');
    c.send('{"type":"cancel"}');
    await h.csm.waitFor(() => h.csm.ttsRequests()[0]?.outcome === 'client-aborted', 2000, 'the aborted CSM request');
    c.send('{"type":"ping"}');
    await c.until((x) => x.of('pong').length === 1, 'pong after cancel');
    const after = c.messages.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(c.messages.length).toBe(after);
    expect(h.csm.ttsRequests()).toHaveLength(1); // the queued one never started
    expect(c.of('done')).toEqual([]);
  });

  it('close: the bridge closes with 1000 and aborts the synthesis in progress', async () => {
    h = await startHarness();
    h.csm.script({ durationMs: 5000, chunkDelayMs: 40 });
    const c = await connect();
    c.send('{"type":"synthesize","text":"A long answer."}');
    await c.until((x) => x.of('audio').length >= 1, 'audio');
    c.send('{"type":"close"}');
    await c.until((x) => x.closed !== undefined, 'closed');
    expect(c.closed).toEqual({ code: 1000, reason: 'client close' });
    await h.csm.waitFor(() => h.csm.ttsRequests()[0]?.outcome === 'client-aborted', 2000, 'the aborted CSM request');
    await h.csm.waitFor(() => h.bridge.sessions.size === 0, 2000, 'the session gone');
  });

  it('a client that drops mid-synthesis: the CSM request is aborted and the session id is free again', async () => {
    h = await startHarness();
    h.csm.script({ durationMs: 5000, chunkDelayMs: 40 });
    const c = await connect('drop-me');
    c.send('{"type":"synthesize","text":"A long answer."}');
    await c.until((x) => x.of('audio').length >= 1, 'audio');
    c.terminate();
    await h.csm.waitFor(() => h.csm.ttsRequests()[0]?.outcome === 'client-aborted', 2000, 'the aborted CSM request');
    await h.csm.waitFor(() => h.bridge.sessions.size === 0, 2000, 'the session gone');
    await connect('drop-me');
  });

  it('refuses a duplicate active session id with 409, and a bad path or id', async () => {
    h = await startHarness();
    await connect('call-1');
    await expect(connect('call-1')).rejects.toThrow('upgrade refused: 409');
    await expect(connect('bad id with spaces')).rejects.toThrow('upgrade refused: 400');
    await expect(connect('%E0%A4%A')).rejects.toThrow('upgrade refused: 400'); // malformed escape
    const wrong = new Client(`ws://127.0.0.1:${h.port}/ws/call-2`);
    clients.push(wrong);
    await expect(wrong.open()).rejects.toThrow('upgrade refused: 404');
    expect([...h.bridge.sessions.keys()]).toEqual(['call-1']);
  });

  it('keepalive: pings every keepaliveMs; a client that never pongs is terminated, one that does stays', async () => {
    h = await startHarness({ config: { keepaliveMs: 40 } });
    const mute = await connect('mute', { autoPong: false });
    const alive = await connect('alive');
    await mute.until((x) => x.closed !== undefined, 'mute terminated');
    expect(mute.closed?.code).toBe(1006); // terminated, no close frame
    await new Promise((r) => setTimeout(r, 150));
    expect(alive.closed).toBeUndefined();
    expect([...h.bridge.sessions.keys()]).toEqual(['alive']);
  });

  it('idle sessions close after idleTimeoutMs with SESSION_IDLE; messages keep a session open', async () => {
    h = await startHarness({ config: { idleTimeoutMs: 150 } });
    const c = await connect('idle');
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 60));
      c.send('{"type":"ping"}');
    }
    expect(c.closed).toBeUndefined();
    await c.until((x) => x.closed !== undefined, 'idle close');
    expect(c.of('error').map((m) => m['code'])).toEqual(['SESSION_IDLE']);
    expect(c.closed).toEqual({ code: 1000, reason: 'idle timeout' });
  });

  it('a full queue answers QUEUE_FULL', async () => {
    h = await startHarness({ config: { maxQueue: 1 } });
    h.csm.script({ durationMs: 3000, chunkDelayMs: 40 });
    const c = await connect();
    c.send('{"type":"synthesize","text":"Long.","request_id":"1"}');
    await c.until((x) => x.of('audio').length >= 1, 'audio');
    c.send('{"type":"synthesize","text":"Two.","request_id":"2"}');
    c.send('{"type":"synthesize","text":"Three.","request_id":"3"}');
    await c.until((x) => x.of('error').length === 1, 'queue full');
    expect(c.of('error')[0]).toMatchObject({ code: 'QUEUE_FULL', request_id: '3', retryable: true });
  });
});
