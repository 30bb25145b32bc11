import { readWav, resample } from '@voice/audio-codec';
import { FakeTwilioClient, type MediaGapStats, type TwilioCloseInfo, type TwilioViolation, mediaGapStats, newTwilioSid } from '@voice/testing';
import { computeSignature } from '@voice/twilio-protocol';
import { type SpeechSegment, speechSegments } from './speech-segments';
import { type TurnTiming, turnTimings } from './turn-report';
import { parseStreamTwiml } from './twiml';

export interface CallSimOptions {
  /** The gateway as reachable from here: `http(s)://host[:port]` (webhook and media stream). */
  readonly url: string;
  /** Caller audio: a PCM16 or μ-law WAV at any rate. */
  readonly wav: Uint8Array;
  /** The gateway's TWILIO_AUTH_TOKEN: signs the webhook and the upgrade as Twilio would. */
  readonly authToken?: string;
  /** The PUBLIC_HOST the gateway signs against (default: the host of `url`). */
  readonly publicHost?: string;
  /** Webhook path (default `/incoming-call`). */
  readonly webhookPath?: string;
  /** Keep listening this long after the caller audio ends (default 4000 ms). */
  readonly tailMs?: number;
  /** Keypad input at times (ms since the caller audio started). */
  readonly dtmf?: ReadonlyArray<{ readonly atMs: number; readonly digits: string }>;
}

export interface CallSimResult {
  readonly callSid: string;
  readonly streamSid: string;
  readonly turns: TurnTiming[];
  /** What the caller heard (cleared audio excluded), μ-law 8 kHz. */
  readonly playedMulaw: Uint8Array;
  readonly violations: readonly TwilioViolation[];
  /** Gaps between agent frames inside replies (pauses over 300 ms between replies excluded). */
  readonly gaps: MediaGapStats;
  readonly speech: readonly SpeechSegment[];
  readonly close: TwilioCloseInfo | undefined;
}

/**
 * Plays `wav` as a Twilio call against a gateway, the way Twilio does it: signed webhook POST, TwiML parsed for the
 * stream URL and its parameters (the per-call token), signed WebSocket upgrade to that URL, `connected`/`start`,
 * 20 ms media frames in real time, mark echoes after playback. Then hangs up and reports.
 */
export async function runCallSim(o: CallSimOptions): Promise<CallSimResult> {
  const base = new URL(o.url);
  const publicHost = o.publicHost ?? base.host;
  const path = o.webhookPath ?? '/incoming-call';
  const callSid = newTwilioSid('CA');
  const params = { CallSid: callSid, AccountSid: newTwilioSid('AC'), From: '+15550001111', To: '+15550002222', Direction: 'inbound', CallStatus: 'ringing' };
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (o.authToken) headers['x-twilio-signature'] = computeSignature(o.authToken, `https://${publicHost}${path}`, params);
  const res = await fetch(new URL(path, base), { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`webhook ${path} answered ${res.status}: ${body.slice(0, 200)}`);
  const twiml = parseStreamTwiml(body);
  // Connect where the gateway really is, sign what the TwiML says (that is what Twilio signs).
  const streamPath = new URL(twiml.url).pathname;
  const wsUrl = `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}${streamPath}`;
  const client = new FakeTwilioClient({ url: wsUrl, authToken: o.authToken, signedUrl: twiml.url, callSid, customParameters: twiml.parameters });

  const wav = readWav(o.wav);
  const caller = wav.sampleRate === 8000 ? wav.samples : resample(wav.samples, wav.sampleRate, 8000);
  await client.connect();
  const t0 = performance.now();
  const timers = (o.dtmf ?? []).map((d) => setTimeout(() => [...d.digits].forEach((digit) => client.sendDtmf(digit)), d.atMs));
  try {
    await client.sendPcm16(caller, 8000);
    const tailEnd = performance.now() + (o.tailMs ?? 4000);
    // Listen on: silence like a real line, until the tail is over and the agent's audio has played out.
    while (client.isOpen && (performance.now() < tailEnd || client.bufferedMs() > 0)) await client.sendSilence(100);
  } finally {
    timers.forEach(clearTimeout);
    if (client.isOpen) await client.hangUp();
  }
  const arrivals = client.mediaArrivalTimes();
  const gapsOnly: number[] = [];
  for (let i = 1; i < arrivals.length; i++) {
    const g = (arrivals[i] ?? 0) - (arrivals[i - 1] ?? 0);
    if (g < 300) gapsOnly.push(g);
  }
  return {
    callSid,
    streamSid: client.streamSid,
    turns: turnTimings(client.received, client.marks, speechSegments(caller), t0),
    playedMulaw: client.playedAudio(),
    violations: client.violations,
    gaps: gapStats(gapsOnly),
    speech: speechSegments(caller),
    close: client.closeInfo,
  };
}

function gapStats(gaps: number[]): MediaGapStats {
  // mediaGapStats takes arrival times; rebuild a cumulative series from the in-reply gaps.
  let t = 0;
  return mediaGapStats([0, ...gaps.map((g) => (t += g))], 30);
}
