// POST /api/call through the real twilio SDK against a fake Twilio REST API (TWILIO_API_BASE_URL), plus the
// health and metrics endpoints.
import { type IncomingMessage, type Server, createServer } from 'node:http';
import { closeServer, listen } from '@voice/testing';
import { type Harness, startHarness } from './harness.spec-helper';

jest.setTimeout(20_000);

interface RestCall {
  method: string;
  path: string;
  authorization: string | undefined;
  form: URLSearchParams;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('HTTP API', () => {
  const ACCOUNT = 'AC' + 'a'.repeat(32);
  let h: Harness;
  let rest: Server;
  const calls: RestCall[] = [];
  let status = 201;

  beforeAll(async () => {
    rest = createServer((req, res) => {
      void body(req).then((text) => {
        calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, form: new URLSearchParams(text) });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 201 ? JSON.stringify({ sid: 'CA' + 'b'.repeat(32), status: 'queued', account_sid: ACCOUNT }) : JSON.stringify({ code: 21211, message: "The 'To' number is not valid.", status }));
      });
    });
    const { url } = await listen(rest);
    h = await startHarness({
      env: { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_PHONE_NUMBER: '+15550009999', API_BEARER_TOKEN: 'bearer-secret', TWILIO_API_BASE_URL: url },
    });
  });
  afterAll(async () => {
    await h.close();
    await closeServer(rest);
  });

  const post = (auth: string | undefined, payload: unknown) =>
    fetch(`${h.http}/api/call`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify(payload) });

  it('creates an outbound call whose TwiML comes from our webhook', async () => {
    const res = await post('Bearer bearer-secret', { to: '+15550001111' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ callSid: 'CA' + 'b'.repeat(32), status: 'queued' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', path: `/2010-04-01/Accounts/${ACCOUNT}/Calls.json` });
    expect(calls[0]!.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:12345`).toString('base64')}`);
    expect(Object.fromEntries(calls[0]!.form)).toEqual({ To: '+15550001111', From: '+15550009999', Url: 'https://gw.example.com/incoming-call', Method: 'POST' });
  });

  it('refuses a missing or wrong bearer token (401) and a malformed number (400) without calling Twilio', async () => {
    const before = calls.length;
    expect((await post(undefined, { to: '+15550001111' })).status).toBe(401);
    expect((await post('Bearer nope', { to: '+15550001111' })).status).toBe(401);
    expect((await post('Bearer bearer-secret', { to: '5550001111' })).status).toBe(400);
    expect(calls.length).toBe(before);
  });

  it('reports a Twilio refusal as 502 with its code', async () => {
    status = 400;
    const res = await post('Bearer bearer-secret', { to: '+15550001111' });
    status = 201;
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: 21211, status: 400 });
  });

  it('serves health and Prometheus metrics', async () => {
    const health = await fetch(`${h.http}/health`);
    expect(await health.json()).toEqual({ status: 'ok', activeCalls: 0 });
    const metrics = await fetch(`${h.http}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    for (const name of ['voice_gateway_active_calls', 'voice_gateway_stage_seconds', 'voice_gateway_mark_round_trip_seconds', 'voice_gateway_pacer_underruns_total', 'voice_gateway_pacer_queued_ms', 'voice_gateway_barge_in_reaction_seconds', 'voice_gateway_provider_errors_total', 'voice_gateway_tts_fallbacks_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });
});
