// Security on by default (https://www.twilio.com/docs/usage/webhooks/webhooks-security and the OWASP WebSocket
// Security Cheat Sheet): signed webhook, signed upgrade, per-call token, start timeout, hostile frames. Rejections
// happen before any provider socket opens.
import { FakeTwilioClient, FakeTwilioUpgradeError, newTwilioSid } from '@voice/testing';
import { computeSignature } from '@voice/twilio-protocol';
import {
  AUTH_TOKEN,
  PUBLIC_HOST,
  type Harness,
  bytesAt,
  callerAudio,
  chatRequests,
  metricValue,
  placeCall,
  postWebhook,
  startHarness,
  tokenFrom,
} from './harness.spec-helper';

jest.setTimeout(30_000);

const providerSockets = (h: Harness) => h.deepgram.upgrades.length + h.cartesia.upgrades.length + h.openai.requests.length;

describe('webhook signatures', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness()));
  afterAll(async () => h.close());

  const params = { CallSid: 'CA00000000000000000000000000000000', From: '+15550001111', To: '+15550002222' };

  it('answers a signed webhook with <Connect><Stream> to wss://PUBLIC_HOST/ws and a token parameter', async () => {
    for (const path of ['/incoming-call', '/voice']) {
      const res = await postWebhook(h, params, { path });
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Connect><Stream url="wss:\/\/gw\.example\.com\/ws"><Parameter name="token" value="[\w-]+\.[\w-]+"\/><\/Stream><\/Connect><\/Response>$/);
    }
  });

  it('answers a signed GET (query parameters are part of the signed URL)', async () => {
    const path = '/voice?CallSid=CA1&From=%2B15550001111';
    const res = await fetch(`${h.http}${path}`, { headers: { 'x-twilio-signature': computeSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}${path}`, {}) } });
    expect(res.status).toBe(200);
    const bad = await fetch(`${h.http}${path}x`, { headers: { 'x-twilio-signature': computeSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}${path}`, {}) } });
    expect(bad.status).toBe(403);
  });

  it('refuses unsigned, tampered and wrongly-hosted requests with 403', async () => {
    const rejectedBefore = await metricValue(h, 'voice_gateway_webhooks_rejected_total');
    expect((await postWebhook(h, params, { signature: null })).status).toBe(403);
    const sig = computeSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}/incoming-call`, params);
    expect((await postWebhook(h, { ...params, To: '+15559999999' }, { signature: sig })).status).toBe(403);
    // Signed over the Host the request arrived with instead of the public host: refused.
    const local = computeSignature(AUTH_TOKEN, `${h.http}/incoming-call`, params);
    expect((await postWebhook(h, params, { signature: local })).status).toBe(403);
    expect((await metricValue(h, 'voice_gateway_webhooks_rejected_total')) - rejectedBefore).toBe(3);
  });

  it('validates against the configured public URL even behind a proxy that rewrites Host and proto', async () => {
    const sig = computeSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}/incoming-call`, params);
    const res = await fetch(`${h.http}/incoming-call`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig, host: 'internal:8080', 'x-forwarded-proto': 'http' },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(200);
  });
});

describe('media stream authentication', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness({ env: { START_TIMEOUT_MS: '300' } })));
  afterEach(async () => h.close());

  const client = (o: { authToken?: string; signedUrl?: string; token?: string; autoStart?: boolean; callSid?: string }) =>
    new FakeTwilioClient({
      url: `ws://127.0.0.1:${h.port}/ws`,
      authToken: o.authToken,
      signedUrl: o.signedUrl ?? `wss://${PUBLIC_HOST}/ws`,
      customParameters: o.token ? { token: o.token } : {},
      autoStart: o.autoStart,
      callSid: o.callSid,
    });

  it('rejects an unsigned upgrade, or one signed over https://, with 403 before any provider socket opens', async () => {
    await expect(client({}).connect()).rejects.toEqual(new FakeTwilioUpgradeError(403));
    await expect(client({ authToken: AUTH_TOKEN, signedUrl: `https://${PUBLIC_HOST}/ws` }).connect()).rejects.toEqual(new FakeTwilioUpgradeError(403));
    await expect(client({ authToken: 'wrong' }).connect()).rejects.toEqual(new FakeTwilioUpgradeError(403));
    expect(providerSockets(h)).toBe(0);
    expect(await metricValue(h, 'voice_gateway_upgrades_rejected_total', { reason: 'TWILIO_SIGNATURE_MISSING' })).toBe(1);
    expect(await metricValue(h, 'voice_gateway_upgrades_rejected_total', { reason: 'TWILIO_SIGNATURE_INVALID' })).toBe(2);
  });

  it('closes 1008 on a wrong, reused or other-call token, and opens no provider socket', async () => {
    const wrong = await client({ authToken: AUTH_TOKEN, token: 'abc.def' }).connect();
    expect(await wrong.closed()).toEqual({ code: 1008, reason: 'invalid call token' });
    const callSid = newTwilioSid('CA');
    const hook = await postWebhook(h, { CallSid: callSid });
    const token = tokenFrom(hook.body);
    const other = await client({ authToken: AUTH_TOKEN, token, callSid: newTwilioSid('CA') }).connect();
    expect((await other.closed()).code).toBe(1008);
    // The token was consumed by the failed attempt: single use.
    const reused = await client({ authToken: AUTH_TOKEN, token, callSid }).connect();
    expect((await reused.closed()).code).toBe(1008);
    expect(providerSockets(h)).toBe(0);
    expect(await metricValue(h, 'voice_gateway_upgrades_rejected_total', { reason: 'token-call-mismatch' })).toBe(1);
    expect(await metricValue(h, 'voice_gateway_upgrades_rejected_total', { reason: 'token-unknown' })).toBe(2);
  });

  it('closes a stream that sends no start in time', async () => {
    const silent = await client({ authToken: AUTH_TOKEN, autoStart: false }).connect();
    silent.sendConnected();
    expect(await silent.closed()).toEqual({ code: 1008, reason: 'no start' });
    expect(providerSockets(h)).toBe(0);
  });

  it('refuses other paths', async () => {
    const c = new FakeTwilioClient({ url: `ws://127.0.0.1:${h.port}/media`, authToken: AUTH_TOKEN, signedUrl: `wss://${PUBLIC_HOST}/media` });
    await expect(c.connect()).rejects.toEqual(new FakeTwilioUpgradeError(404));
  });
});

describe('malformed and hostile frames', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('logs and ignores each bad frame, the call goes on; an oversized frame closes only its own socket (1009)', async () => {
    h = await startHarness({ deepgram: { script: [{ atBytes: bytesAt(1000), kind: 'final', text: 'Are you there?' }] } });
    h.openai.script.chat({ deltas: ['Yes, I am here.'] });
    const a = await placeCall(h);
    const b = await placeCall(h);
    await a.sendSilence(100);
    await h.deepgram.waitForConnection(0);
    const before = h.deepgram.connections[0]!.bytesReceived;
    a.sendRaw(new Uint8Array([1, 2, 3]), { binary: true });
    a.sendRaw('{not json');
    a.sendRaw('{"event":"bogus","streamSid":"x"}');
    a.sendRaw(`{"event":"media","sequenceNumber":"9","media":{"track":"inbound","chunk":"9","timestamp":"180"},"streamSid":"${a.streamSid}"}`);
    a.sendRaw(`{"event":"media","sequenceNumber":"9","media":{"track":"inbound","chunk":"9","timestamp":"180","payload":"!!notbase64"},"streamSid":"${a.streamSid}"}`);
    a.sendRaw(`{"event":"mark","sequenceNumber":"9","mark":{},"streamSid":"${a.streamSid}"}`);
    a.sendRaw(`{"event":"mark","sequenceNumber":"9","mark":{"name":"t999:0"},"streamSid":"${a.streamSid}"}`); // unknown mark: ignored
    b.sendRaw(`{"event":"media","payload":"${'A'.repeat(2 * 1024 * 1024)}"}`);
    expect((await b.closed()).code).toBe(1009);
    // Call a goes on: its next audio reaches STT and its turn is answered.
    await a.sendPcm16(callerAudio(['speech', 1000], ['silence', 800]), 8000);
    await a.waitFor((c) => c.marks.some((m) => m.echoedAt !== undefined), 5000);
    expect(h.deepgram.connections[0]!.bytesReceived - before).toBeGreaterThanOrEqual(bytesAt(1800));
    expect(chatRequests(h)).toHaveLength(1);
    expect(a.isOpen).toBe(true);
    for (const code of ['TWILIO_BINARY_FRAME', 'TWILIO_MALFORMED_JSON', 'TWILIO_UNKNOWN_EVENT', 'TWILIO_MISSING_FIELD', 'TWILIO_BAD_BASE64']) {
      expect(await metricValue(h, 'voice_gateway_twilio_frames_rejected_total', { code })).toBeGreaterThanOrEqual(1);
    }
    const logged = h.logs.filter((l) => l['msg'] === 'ignored a Twilio frame').map((l) => l['code']);
    expect(logged).toEqual(expect.arrayContaining(['TWILIO_BINARY_FRAME', 'TWILIO_MALFORMED_JSON', 'TWILIO_UNKNOWN_EVENT', 'TWILIO_BAD_BASE64']));
    expect(a.violations).toEqual([]);
    await a.close();
  });
});
