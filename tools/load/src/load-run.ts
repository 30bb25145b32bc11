import { encodeMulaw } from '@voice/audio-codec';
import { concatPcm, quietNoise, syntheticVowel } from '@voice/stt/testing';
import { type DeepgramScriptStep, FakeTwilioClient, newTwilioSid, startFakeCartesia, startFakeDeepgram, startFakeOpenAi } from '@voice/testing';
import { computeSignature } from '@voice/twilio-protocol';
import { startGatewayProcess } from './gateway-process';
import { histogramQuantile, parseHistogram, parseValue, percentile } from './stats';

export interface LoadRunOptions {
  readonly calls: number;
  readonly seconds: number;
  /** Calls start spread over this long, so their 20 ms phases differ as real calls' do (default 2000). */
  readonly rampMs?: number;
}

export interface LoadRunResult {
  readonly calls: number;
  readonly connected: number;
  readonly seconds: number;
  readonly gatewayCpuPct: number;
  readonly cpuPerCallPct: number;
  readonly loadGeneratorCpuPct: number;
  readonly framesReceived: number;
  readonly gapMs: { readonly p50: number; readonly p99: number; readonly p999: number; readonly max: number; readonly over30Pct: number };
  readonly bargeIns: number;
  readonly bargeInClientMs: { readonly p50: number; readonly p99: number };
  readonly bargeInGatewayMs: { readonly p50: number; readonly p99: number };
  readonly stagesMs: Record<string, { readonly p50: number; readonly p99: number; readonly count: number }>;
  readonly markRttMs: { readonly p50: number; readonly p99: number };
  readonly underruns: number;
  readonly violations: number;
}

const CYCLE_MS = 2500;
const SPEECH_MS = 1000;
const REPLY = 'Sure, let me check that for you. Our store opens at nine in the morning and closes at six in the evening every day.';
const STAGES = ['stt_final_to_llm_first_token', 'llm_first_token_to_tts_first_audio', 'tts_first_audio_to_first_frame', 'stt_final_to_first_frame'];

/**
 * One load point: N concurrent calls, each repeating "caller speaks 1 s → agent replies (~2.5 s of audio) → the
 * caller talks over the reply 1.5 s in (barge-in) → ...", against the gateway in its own process with fake
 * providers in this one. Everything on loopback.
 */
export async function runLoad(o: LoadRunOptions): Promise<LoadRunResult> {
  const cycles = Math.ceil((o.seconds * 1000) / CYCLE_MS);
  const script: DeepgramScriptStep[] = [];
  for (let k = 0; k < cycles; k++) script.push({ atBytes: (k * CYCLE_MS + SPEECH_MS) * 8, kind: 'final', text: 'Tell me your opening hours please.' });
  const deepgram = await startFakeDeepgram({ script, idleTimeoutMs: 60_000 });
  const openai = await startFakeOpenAi({ defaultReply: REPLY });
  const cartesia = await startFakeCartesia({ msPerChar: 30, chunkMs: 100 });
  const gw = await startGatewayProcess(
    {
      PUBLIC_HOST: 'gw.example.com',
      TWILIO_AUTH_TOKEN: '12345',
      DEEPGRAM_API_KEY: deepgram.apiKey,
      DEEPGRAM_BASE_URL: deepgram.url,
      GROQ_API_KEY: openai.apiKey,
      GROQ_BASE_URL: openai.baseUrlGroq,
      CARTESIA_API_KEY: cartesia.apiKey,
      CARTESIA_VOICE_ID: 'voice-load',
      CARTESIA_BASE_URL: cartesia.url,
      BARGE_IN_MODE: 'vad',
      IDLE_REPROMPT_MS: '0',
      LOG_LEVEL: 'info',
      DRAIN_TIMEOUT_MS: '1000',
    },
    cartesia.ca,
  );
  const caller = encodeMulaw(concatPcm(...Array.from({ length: cycles }, (_, k) => concatPcm(syntheticVowel(SPEECH_MS, { f0: 100 + (k % 5) * 10 }), quietNoise(CYCLE_MS - SPEECH_MS, { seed: k + 1 })))));
  const ws = gw.url.replace(/^http/, 'ws') + '/ws';
  const rampMs = o.rampMs ?? 2000;
  const clients: Array<{ client: FakeTwilioClient; t0: number; sending: Promise<void> }> = [];
  const cpuStart = process.cpuUsage();
  const startAll = async (i: number): Promise<void> => {
    await new Promise((r) => setTimeout(r, (i * rampMs) / o.calls));
    const callSid = newTwilioSid('CA');
    const params = { CallSid: callSid };
    const res = await fetch(`${gw.url}/incoming-call`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeSignature('12345', 'https://gw.example.com/incoming-call', params) },
      body: new URLSearchParams(params).toString(),
    });
    const token = /name="token" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
    const client = new FakeTwilioClient({ url: ws, authToken: '12345', signedUrl: 'wss://gw.example.com/ws', callSid, customParameters: { token } });
    await client.connect();
    const t0 = performance.now();
    clients.push({ client, t0, sending: client.sendMulaw(caller).catch(() => undefined) });
  };
  await Promise.all(Array.from({ length: o.calls }, (_, i) => startAll(i).catch((e: unknown) => console.error(`call ${i}: ${String(e)}`))));
  // Measure the steady state: from one cycle after the last call started to the end of the run.
  await new Promise((r) => setTimeout(r, CYCLE_MS));
  const cpu0 = gw.cpuSeconds();
  const w0 = performance.now();
  if (clients.length === 0) throw new Error("no call connected");
  const runEnd = Math.min(...clients.map((c) => c.t0)) + o.seconds * 1000;
  await new Promise((r) => setTimeout(r, Math.max(1000, runEnd - performance.now())));
  const cpu1 = gw.cpuSeconds();
  const w1 = performance.now();
  const loadCpu = process.cpuUsage(cpuStart);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();

  const gaps: number[] = [];
  const clientBarge: number[] = [];
  let frames = 0;
  let violations = 0;
  for (const { client, t0 } of clients) {
    const arrivals = client.mediaArrivalTimes().filter((t) => t >= w0 && t <= w1);
    frames += arrivals.length;
    for (let i = 1; i < arrivals.length; i++) {
      const g = (arrivals[i] ?? 0) - (arrivals[i - 1] ?? 0);
      if (g < 300) gaps.push(g); // longer pauses are between replies, not jitter
    }
    for (const at of client.clears) {
      const k = Math.floor((at - t0) / CYCLE_MS);
      // The VAD needs 60 ms of speech: the onset is complete once the 3rd speech frame (sent at +40 ms) arrived.
      const since = at - (t0 + k * CYCLE_MS + 40);
      if (since >= 0 && since < SPEECH_MS) clientBarge.push(since);
    }
    violations += client.violations.length;
  }
  await Promise.all(clients.map(async ({ client }) => client.close().catch(() => undefined)));
  await gw.stop();
  await Promise.all([deepgram.close(), openai.close(), cartesia.close()]);

  const q = (name: string, labels: Record<string, string>, p: number): number => histogramQuantile(parseHistogram(metrics, name, labels), p) * 1000;
  const stagesMs: LoadRunResult['stagesMs'] = {};
  for (const stage of STAGES) {
    stagesMs[stage] = {
      p50: q('voice_gateway_stage_seconds', { stage }, 0.5),
      p99: q('voice_gateway_stage_seconds', { stage }, 0.99),
      count: parseValue(metrics, 'voice_gateway_stage_seconds_count', { stage }),
    };
  }
  const windowS = (w1 - w0) / 1000;
  const gatewayCpuPct = ((cpu1 - cpu0) / windowS) * 100;
  return {
    calls: o.calls,
    connected: clients.length,
    seconds: o.seconds,
    gatewayCpuPct,
    cpuPerCallPct: gatewayCpuPct / Math.max(1, clients.length),
    loadGeneratorCpuPct: ((loadCpu.user + loadCpu.system) / 1000 / (performance.now() - (w0 - CYCLE_MS - rampMs))) * 100,
    framesReceived: frames,
    gapMs: {
      p50: percentile(gaps, 50),
      p99: percentile(gaps, 99),
      p999: percentile(gaps, 99.9),
      max: gaps.reduce((m, g) => Math.max(m, g), 0),
      over30Pct: (gaps.filter((g) => g > 30).length / Math.max(1, gaps.length)) * 100,
    },
    bargeIns: parseValue(metrics, 'voice_gateway_barge_ins_total'),
    bargeInClientMs: { p50: percentile(clientBarge, 50), p99: percentile(clientBarge, 99) },
    bargeInGatewayMs: { p50: q('voice_gateway_barge_in_reaction_seconds', {}, 0.5), p99: q('voice_gateway_barge_in_reaction_seconds', {}, 0.99) },
    stagesMs,
    markRttMs: { p50: q('voice_gateway_mark_round_trip_seconds', {}, 0.5), p99: q('voice_gateway_mark_round_trip_seconds', {}, 0.99) },
    underruns: parseValue(metrics, 'voice_gateway_pacer_underruns_total'),
    violations,
  };
}
