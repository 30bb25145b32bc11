// End-to-end harness: the real gateway (HTTP + WS on 127.0.0.1:0) with every remote provider replaced by a fake
// from @voice/testing, reached through the real SDKs via the *_BASE_URL configuration.
import { concatPcm, quietNoise, syntheticVowel } from '@voice/stt/testing';
import {
  type FakeCartesia,
  type FakeCartesiaOptions,
  type FakeDeepgram,
  type FakeDeepgramOptions,
  type FakeOpenAi,
  type FakeOpenAiOptions,
  FakeTwilioClient,
  type FakeTwilioClientOptions,
  newTwilioSid,
  startFakeCartesia,
  startFakeDeepgram,
  startFakeOpenAi,
} from '@voice/testing';
import { computeSignature } from '@voice/twilio-protocol';
import { loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { type Gateway, type GatewayDeps, createGateway } from '../server/gateway';

export const AUTH_TOKEN = '12345';
export const PUBLIC_HOST = 'gw.example.com';

export interface HarnessOptions {
  readonly env?: Record<string, string>;
  readonly deepgram?: FakeDeepgramOptions;
  readonly cartesia?: FakeCartesiaOptions;
  readonly openai?: FakeOpenAiOptions;
  readonly deps?: Partial<GatewayDeps>;
}

export interface Harness {
  readonly gateway: Gateway;
  readonly port: number;
  readonly http: string;
  readonly deepgram: FakeDeepgram;
  readonly openai: FakeOpenAi;
  readonly cartesia: FakeCartesia;
  /** Every JSON log line the gateway wrote. */
  readonly logs: Record<string, unknown>[];
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export function fakeEnv(f: { deepgram: FakeDeepgram; openai: FakeOpenAi; cartesia: FakeCartesia }): Record<string, string> {
  return {
    PUBLIC_HOST,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    DEEPGRAM_API_KEY: f.deepgram.apiKey,
    DEEPGRAM_BASE_URL: f.deepgram.url,
    GROQ_API_KEY: f.openai.apiKey,
    GROQ_BASE_URL: f.openai.baseUrlGroq,
    OPENAI_API_KEY: f.openai.apiKey,
    OPENAI_BASE_URL: f.openai.baseUrlOpenAi,
    CARTESIA_API_KEY: f.cartesia.apiKey,
    CARTESIA_VOICE_ID: 'voice-test',
    CARTESIA_BASE_URL: f.cartesia.url,
    LOG_LEVEL: 'debug',
    IDLE_REPROMPT_MS: '0',
    DTMF_DEBOUNCE_MS: '300',
  };
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const deepgram = await startFakeDeepgram(o.deepgram);
  const openai = await startFakeOpenAi(o.openai);
  const cartesia = await startFakeCartesia({ msPerChar: 20, ...o.cartesia });
  const env = { ...fakeEnv({ deepgram, openai, cartesia }), ...o.env };
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(env['LOG_LEVEL'] ?? 'debug', { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const gateway = createGateway(loadConfig(env), { logger, tls: { ca: cartesia.ca }, defaultMetrics: false, ...o.deps });
  const port = await gateway.listen(0, '127.0.0.1');
  return {
    gateway,
    port,
    http: `http://127.0.0.1:${port}`,
    deepgram,
    openai,
    cartesia,
    logs,
    env,
    async close() {
      await gateway.close();
      await Promise.all([deepgram.close(), openai.close(), cartesia.close()]);
    },
  };
}

/** What Twilio does when a call comes in: a signed form POST to the webhook. */
export async function postWebhook(
  h: Harness,
  params: Record<string, string>,
  o: { path?: string; signature?: string | null } = {},
): Promise<{ status: number; body: string }> {
  const path = o.path ?? '/incoming-call';
  const signature = o.signature === undefined ? computeSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}${path}`, params) : o.signature;
  const res = await fetch(`${h.http}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

export function tokenFrom(twiml: string): string {
  const m = /<Parameter name="token" value="([^"]+)"\/>/.exec(twiml);
  if (!m?.[1]) throw new Error(`no token in TwiML: ${twiml}`);
  return m[1];
}

/** Webhook, then the media stream with Twilio's signature and the token from the TwiML. */
export async function placeCall(h: Harness, o: Partial<FakeTwilioClientOptions> = {}): Promise<FakeTwilioClient> {
  const callSid = o.callSid ?? newTwilioSid('CA');
  const hook = await postWebhook(h, { CallSid: callSid, AccountSid: newTwilioSid('AC'), From: '+15550001111', To: '+15550002222', Direction: 'inbound' });
  if (hook.status !== 200) throw new Error(`webhook answered ${hook.status}`);
  return new FakeTwilioClient({
    url: `ws://127.0.0.1:${h.port}/ws`,
    authToken: AUTH_TOKEN,
    signedUrl: `wss://${PUBLIC_HOST}/ws`,
    callSid,
    customParameters: { token: tokenFrom(hook.body) },
    ...o,
  }).connect();
}

/** Caller audio: voiced speech and room tone, as 8 kHz PCM16. Segments are [kind, ms]. */
export function callerAudio(...segments: Array<['speech' | 'silence', number]>): Int16Array {
  return concatPcm(...segments.map(([kind, ms], i) => (kind === 'speech' ? syntheticVowel(ms, { f0: 110 + 10 * i }) : quietNoise(ms, { seed: i + 1 }))));
}

/** Bytes of μ-law 8 kHz that `ms` of caller audio makes (what the fake Deepgram counts). */
export const bytesAt = (ms: number): number => Math.round(ms * 8);

export async function metricValue(h: Pick<Harness, 'gateway'>, name: string, labels: Record<string, string> = {}): Promise<number> {
  const json = await h.gateway.metrics.registry.getMetricsAsJSON();
  const metric = json.find((m) => m.name === name);
  if (!metric) return 0;
  return (metric.values as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>)
    .filter((v) => (v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`) && Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((s, v) => s + v.value, 0);
}

export async function waitUntil(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  await waitForAsync(() => Promise.resolve(predicate()), timeoutMs);
}

export async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

type ChatBody = { messages: Array<{ role: string; content: string | null }> };
export const chatRequests = (h: Harness) => h.openai.requests.filter((r) => r.endpoint === 'chat');
/** [role, content] of the i-th chat request's messages. */
export const messagesOf = (h: Harness, i: number) => (chatRequests(h)[i]?.json as unknown as ChatBody).messages.map((m) => [m.role, m.content]);
