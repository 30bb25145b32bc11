// The browser softphone through the real server with the @voice/testing fakes behind it: page and assets, Origin
// and token checks on the token route and the WS /browser upgrade, a two-turn call with transcripts, marks and the
// latency timeline, barge-in from the browser, the SOFTPHONE_ENABLED switch, and Twilio refused without its token.
import WebSocket from 'ws';
import { BrowserClient, fetchToken, tryUpgrade } from './browser-client.spec-helper';
import { type Harness, bytesAt, callerAudio, chatRequests, messagesOf, metricValue, postWebhook, startHarness, waitForAsync } from './harness.spec-helper';
import { FakeTwilioClient, FakeTwilioUpgradeError } from '@voice/testing';

jest.setTimeout(30_000);

describe('softphone', () => {
  let h: Harness;
  let client: BrowserClient | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await h.close();
  });

  describe('page and access checks', () => {
    beforeEach(async () => {
      h = await startHarness({ env: { SOFTPHONE_ALLOWED_ORIGINS: 'https://dev.example.com' } });
    });

    it('serves the page and its assets with a strict content security policy', async () => {
      const page = await fetch(`${h.http}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
      const html = await page.text();
      for (const asset of ['/softphone/softphone.js', '/softphone/softphone.css']) {
        expect(html).toContain(asset);
        const r = await fetch(`${h.http}${asset}`);
        expect(r.status).toBe(200);
        expect((await r.text()).length).toBeGreaterThan(200);
      }
      expect((await fetch(`${h.http}/softphone/capture-worklet.js`)).status).toBe(200);
      expect((await fetch(`${h.http}/softphone/../package.json`)).status).toBe(404);
    });

    it('issues tokens only to the page origin or an allowlisted one', async () => {
      expect((await fetchToken(h.http, undefined)).status).toBe(403);
      expect((await fetchToken(h.http, 'https://evil.example')).status).toBe(403);
      // Same host name but another port is another origin.
      expect((await fetchToken(h.http, `http://127.0.0.1:${h.port + 1}`)).status).toBe(403);
      const own = await fetchToken(h.http, h.http);
      expect(own.status).toBe(200);
      expect(own.token).toMatch(/^[\w-]+\.[\w-]+$/);
      expect((await fetchToken(h.http, 'https://dev.example.com')).status).toBe(200);
    });

    it('refuses upgrades with a foreign or missing Origin, without a token, or with a used token', async () => {
      const ws = `ws://127.0.0.1:${h.port}/browser`;
      const token = async () => (await fetchToken(h.http, h.http)).token as string;
      expect((await tryUpgrade(`${ws}?token=${await token()}`, 'https://evil.example')).status).toBe(403);
      expect((await tryUpgrade(`${ws}?token=${await token()}`, undefined)).status).toBe(403);
      expect((await tryUpgrade(ws, h.http)).status).toBe(403);
      expect((await tryUpgrade(`${ws}?token=nope.nope`, h.http)).status).toBe(403);
      const t = await token();
      const first = await tryUpgrade(`${ws}?token=${t}`, h.http);
      expect(first.status).toBe(101);
      first.ws?.terminate();
      expect((await tryUpgrade(`${ws}?token=${t}`, h.http)).status).toBe(403);
      // An allowlisted origin connects although its host is not ours.
      const dev = await tryUpgrade(`${ws}?token=${await token()}`, 'https://dev.example.com');
      expect(dev.status).toBe(101);
      dev.ws?.terminate();
      expect(await metricValue(h, 'voice_gateway_upgrades_rejected_total', { reason: 'softphone-origin-mismatch' })).toBe(1);
      expect(await metricValue(h, 'voice_gateway_upgrades_rejected_total', { reason: 'softphone-token-unknown' })).toBe(2);
    });
  });

  it('is off with SOFTPHONE_ENABLED=false', async () => {
    h = await startHarness({ env: { SOFTPHONE_ENABLED: 'false' } });
    expect((await fetch(`${h.http}/`)).status).toBe(404);
    expect((await fetchToken(h.http, h.http).catch(() => ({ status: 404 }))).status).toBe(404);
    expect((await tryUpgrade(`ws://127.0.0.1:${h.port}/browser?token=x.y`, h.http)).status).toBe(404);
  });

  it('runs a call: caller PCM16 in, agent PCM16 out, marks echoed after playback, transcripts and latency events', async () => {
    h = await startHarness({
      deepgram: {
        script: [
          { atBytes: bytesAt(600), kind: 'interim', text: 'Hello' },
          { atBytes: bytesAt(1000), kind: 'final', text: 'Hello there.' },
          { atBytes: bytesAt(3800), kind: 'final', text: 'What are your hours?' },
        ],
      },
    });
    h.openai.script.chat({ deltas: ['Hi! ', 'How can I ', 'help you today?'] }, { deltas: ['We are open ', 'from nine to five.'] });
    client = await BrowserClient.connect(h.http);
    await client.sendPcm(callerAudio(['speech', 1000], ['silence', 2000], ['speech', 800], ['silence', 200]), 8000);
    await client.waitFor((c) => c.echoes.length >= 3 && chatRequests(h).length === 2 && c.bufferedBytes() === 0, 8000);
    await waitForAsync(async () => (await metricValue(h, 'voice_gateway_turns_total', { outcome: 'completed' })) === 2);

    const ready = client.ofType('ready')[0];
    expect(ready).toMatchObject({ sampleRate: 16000, providers: { stt: 'deepgram', llm: 'groq', tts: 'cartesia' } });
    expect(messagesOf(h, 1).slice(1)).toEqual([
      ['user', 'Hello there.'],
      ['assistant', 'Hi! How can I help you today?'],
      ['user', 'What are your hours?'],
    ]);
    // Transcripts: the caller's interim then finals; the agent's sentences with the marks that follow them.
    expect(client.ofType('caller').map((e) => [e['text'], e['final']])).toEqual([
      ['Hello', false],
      ['Hello there.', true],
      ['What are your hours?', true],
    ]);
    const agent = client.ofType('agent');
    expect(agent.map((e) => e['text'])).toEqual(['Hi!', 'How can I help you today?', 'We are open from nine to five.']);
    const marks = client.ofType('mark').map((e) => e['name']);
    expect(marks).toEqual(agent.map((e) => e['mark']));
    // Every mark echoed as played (no clear), only after the audio before it had played.
    expect(client.echoes.map((e) => [e.name, e.flushed])).toEqual(marks.map((m) => [m, false]));
    for (const echo of client.echoes) {
      const markAt = client.ofType('mark').find((e) => e['name'] === echo.name)!.at;
      expect(echo.at).toBeGreaterThanOrEqual(markAt);
    }
    // The agent's audio arrived as PCM16 16 kHz: what Cartesia generated (20 ms/char), padded to whole frames, less
    // the ≈2 ms delay of each of the two resamplers in the loop (gateway 8→16 kHz, this client 16→8 kHz).
    const generatedMs = agent.map((e) => String(e['text'])).join('').replace(/\s/g, '').length * 20;
    expect(client.playedAudio().length).toBeGreaterThanOrEqual((generatedMs - 6) * 8);
    expect(client.playedAudio().length).toBeLessThan(generatedMs * 8 + 3 * 160);
    // Latency timeline per answered turn: ordered stages from the caller's speech end (local VAD) to the first frame.
    const latency = client.ofType('latency');
    expect(latency).toHaveLength(2);
    for (const l of latency) {
      const ms = l['ms'] as Record<string, number>;
      expect(ms['speechEnd']).toBe(0);
      const order = [ms['speechEnd'], ms['sttFinal'], ms['llmFirstToken'], ms['ttsFirstAudio'], ms['firstFrame']];
      expect(order.every((v) => typeof v === 'number')).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    }
    expect(client.ofType('turn-end').map((e) => e['outcome'])).toEqual(['completed', 'completed']);
    expect(await metricValue(h, 'voice_gateway_stage_seconds', { stage: 'stt_final_to_first_frame' })).toBe(2);
    expect(h.gateway.activeCalls()).toBe(1);
    await client.close();
    client = undefined;
    await waitForAsync(async () => (await metricValue(h, 'voice_gateway_calls_total', { outcome: 'hangup' })) === 1);
    expect(h.gateway.activeCalls()).toBe(0);
  });

  it('barges in from the browser: clear, upstream work aborted, pending marks flushed, history = what played', async () => {
    h = await startHarness({
      cartesia: { msPerChar: 50, chunkMs: 100, chunkIntervalMs: 70 },
      deepgram: {
        script: [
          { atBytes: bytesAt(1000), kind: 'final', text: 'Hello there.' },
          { atBytes: bytesAt(2800), kind: 'interim', text: 'wait stop' },
          { atBytes: bytesAt(3400), kind: 'final', text: 'Wait, stop please.' },
        ],
      },
    });
    h.openai.script.chat(
      { deltas: ['Sure. ', 'Let me tell you about our opening hours in great detail. ', 'We open at nine ', 'in the morning ', 'every weekday.'], chunkDelayMs: 400 },
      { deltas: ['Okay.'], headersDelayMs: 600 },
    );
    client = await BrowserClient.connect(h.http);
    await client.sendPcm(callerAudio(['speech', 1000], ['silence', 1500], ['speech', 1000], ['silence', 1500]), 8000);
    await client.waitFor((c) => c.clears.length > 0 && chatRequests(h).length === 2 && c.ofType('turn-end').length >= 2, 8000);

    const clearAt = client.clears[0]!;
    const turn1 = String(client.ofType('agent')[0]!['turnId']);
    expect(client.ofType('mark').filter((e) => String(e['name']).startsWith(`${turn1}:`) && e.at > clearAt)).toEqual([]);
    expect(client.audioArrivals.filter((t) => t > clearAt && t < clearAt + 500)).toEqual([]);
    expect((await chatRequests(h)[0]!.settled).clientAborted).toBe(true);
    const played = client.echoes.filter((e) => e.name.startsWith(`${turn1}:`) && !e.flushed).map((e) => e.name);
    expect(played).toEqual([`${turn1}:0`]);
    expect(client.ofType('turn-end')[0]).toMatchObject({ turnId: turn1, outcome: 'interrupted', heard: 'Sure.' });
    expect(messagesOf(h, 1).slice(1)).toEqual([
      ['user', 'Hello there.'],
      ['assistant', 'Sure.'],
      ['user', 'Wait, stop please.'],
    ]);
    expect(await metricValue(h, 'voice_gateway_barge_ins_total', { trigger: 'vad+words' })).toBe(1);
  });

  it('keeps working when Twilio is refused for lack of TWILIO_AUTH_TOKEN (validation stays on)', async () => {
    h = await startHarness({ env: { TWILIO_AUTH_TOKEN: '' }, deepgram: { script: [{ atBytes: bytesAt(800), kind: 'final', text: 'Hi.' }] } });
    h.openai.script.chat({ deltas: ['Hello from the softphone.'] });
    expect((await postWebhook(h, { CallSid: 'CA00000000000000000000000000000001' })).status).toBe(503);
    const twilio = new FakeTwilioClient({ url: `ws://127.0.0.1:${h.port}/ws`, authToken: 'whatever', signedUrl: 'wss://gw.example.com/ws' });
    const refused = await twilio.connect().then(
      () => 0,
      (e: unknown) => (e instanceof FakeTwilioUpgradeError ? e.statusCode : -1),
    );
    expect(refused).toBe(503);
    await twilio.close();
    expect(h.logs.some((l) => String(l['msg']).startsWith('twilio media stream refused: TWILIO_AUTH_TOKEN is not set'))).toBe(true);
    expect(h.logs.some((l) => String(l['msg']).startsWith('twilio webhook refused: TWILIO_AUTH_TOKEN is not set'))).toBe(true);

    client = await BrowserClient.connect(h.http);
    await client.sendPcm(callerAudio(['speech', 900], ['silence', 300]), 8000);
    await client.waitFor((c) => c.echoes.length >= 1, 8000);
    expect(client.ofType('agent').map((e) => e['text'])).toEqual(['Hello from the softphone.']);
    expect(client.playedAudio().length).toBeGreaterThan(0);
    expect(WebSocket.OPEN).toBe(1);
  });
});
