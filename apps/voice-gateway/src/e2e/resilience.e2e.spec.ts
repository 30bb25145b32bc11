// Provider faults and shutdown through the real server: STT socket dropped mid-utterance, TTS failing over,
// graceful drain.
import type { FakeTwilioClient } from '@voice/testing';
import {
  type Harness,
  bytesAt,
  callerAudio,
  chatRequests,
  messagesOf,
  metricValue,
  placeCall,
  postWebhook,
  startHarness,
  tokenFrom,
  waitUntil,
} from './harness.spec-helper';
import { FakeTwilioClient as Client } from '@voice/testing';

jest.setTimeout(30_000);

describe('provider faults', () => {
  let h: Harness;
  let client: FakeTwilioClient | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await h.close();
  });

  it('recovers from an STT socket dropped mid-utterance: reconnects, replays, answers, keeps the call', async () => {
    h = await startHarness({
      deepgram: {
        script: (connection) =>
          connection === 0
            ? [
                { atBytes: bytesAt(500), kind: 'interim', text: 'I would' },
                { atBytes: bytesAt(800), kind: 'close', code: 1011, reason: 'NET-0000' },
              ]
            : [{ atBytes: bytesAt(1500), kind: 'final', text: 'I would like a table.' }],
      },
    });
    h.openai.script.chat({ deltas: ['For how many people?'] });
    client = await placeCall(h);
    await client.sendPcm16(callerAudio(['speech', 1500], ['silence', 1500]), 8000);
    await client.waitFor((c) => c.marks.some((m) => m.echoedAt !== undefined), 5000);
    expect(h.deepgram.connections).toHaveLength(2);
    expect(h.deepgram.connections[0]!.closeCode).toBe(1011);
    expect(messagesOf(h, 0).slice(1)).toEqual([['user', 'I would like a table.']]);
    expect(client.isOpen).toBe(true);
    expect(client.playedAudio().length).toBeGreaterThan(0);
    expect(await metricValue(h, 'voice_gateway_provider_errors_total', { provider: 'deepgram' })).toBeGreaterThanOrEqual(1);
  });

  it('fails over to the fallback TTS when the primary stays silent, for the rest of the reply', async () => {
    h = await startHarness({
      env: { TTS_FALLBACK_PROVIDER: 'openai', TTS_FIRST_AUDIO_TIMEOUT_MS: '300' },
      cartesia: { contexts: [{ hang: true }] },
      deepgram: { script: [{ atBytes: bytesAt(1000), kind: 'final', text: 'What time is it?' }] },
    });
    h.openai.script.chat({ deltas: ['One moment. ', 'It is noon.'] });
    client = await placeCall(h);
    await client.sendPcm16(callerAudio(['speech', 1000], ['silence', 2500]), 8000);
    await client.waitFor((c) => c.marks.length === 2 && c.marks.every((m) => m.echoedAt !== undefined), 8000);
    const speech = h.openai.requests.filter((r) => r.endpoint === 'speech').map((r) => r.json?.['input']);
    expect(speech).toEqual(['One moment.', 'It is noon.']);
    // The fake speaks a 500 ms tone per request; the caller heard both (transcoded once from 24 kHz PCM).
    expect(client.playedAudio().length).toBeGreaterThanOrEqual(2 * 500 * 8 - 2 * 160);
    expect(client.marks.every((m) => m.flushed === false)).toBe(true);
    expect(await metricValue(h, 'voice_gateway_tts_fallbacks_total', { primary: 'cartesia', fallback: 'openai-tts', reason: 'timeout' })).toBe(1);
    expect(client.violations).toEqual([]);
  });
});

describe('drain', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('refuses new calls at once, lets active calls (and answered ones still connecting) finish, then closes every provider socket', async () => {
    h = await startHarness({ deepgram: { script: [{ atBytes: bytesAt(800), kind: 'final', text: 'Goodbye.' }] } });
    h.openai.script.chat({ deltas: ['Bye now.'] });
    const a = await placeCall(h);
    await a.sendPcm16(callerAudio(['speech', 800], ['silence', 200]), 8000);
    // Answered before the drain, its stream connects after it.
    const callSid = 'CA11111111111111111111111111111111';
    const answered = tokenFrom((await postWebhook(h, { CallSid: callSid })).body);
    let drained = false;
    const draining = h.gateway.drain(10_000).then(() => (drained = true));

    expect((await postWebhook(h, { CallSid: 'CA2' })).status).toBe(503);
    const health = await fetch(`${h.http}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'draining', activeCalls: 1 });
    const b = await new Client({
      url: `ws://127.0.0.1:${h.port}/ws`,
      authToken: '12345',
      signedUrl: 'wss://gw.example.com/ws',
      callSid,
      customParameters: { token: answered },
    }).connect();
    await waitUntil(() => h.gateway.activeCalls() === 2);

    await a.waitFor((c) => c.marks.some((m) => m.echoedAt !== undefined), 5000);
    await a.hangUp();
    await waitUntil(() => h.gateway.activeCalls() === 1);
    expect(drained).toBe(false);
    await b.hangUp();
    await draining;
    expect(h.gateway.activeCalls()).toBe(0);
    expect(chatRequests(h)).toHaveLength(1);
    await h.gateway.close();
    // Closed from our side; the fakes see the close handshakes complete shortly after.
    await waitUntil(() => h.deepgram.openConnections() === 0 && h.cartesia.openConnections() === 0, 2000);
    // Each STT stream ended gracefully: CloseStream, then Deepgram's Metadata and close
    // (https://developers.deepgram.com/docs/close-stream).
    expect(h.deepgram.connections.map((c) => c.controls.some((k) => k.type === 'CloseStream'))).toEqual([true, true]);
  });

  it('ends the calls still running at the drain timeout (close 1001)', async () => {
    h = await startHarness();
    const a = await placeCall(h);
    await a.sendSilence(100);
    await h.gateway.drain(200);
    expect(await a.closed()).toEqual({ code: 1001, reason: 'drain timeout' });
    expect(h.gateway.activeCalls()).toBe(0);
  });
});
