// Offline voice-to-voice latency: the gateway in-process on the key-less stack (pocketsphinx, the scripted dialog,
// flite), a fake Twilio caller speaking flite lines in real time, every reply played out before the next line.
// Per turn: the gateway's own timeline ("turn latency" log: caller speech end by the gateway's fvad → STT final →
// LLM first token → TTS first audio → first frame sent) and, from the caller's side, the end of the line's speech
// (last sample above -30 dBFS) → the reply's first media frame received. Variants: LOCAL_STT_HANGOVER_MS.
// Run: npx nx bench @voice/voice-gateway [-- --runs 3 --hangovers 500,400,300]   (takes the bench lock)
import { concatBytes, decodeMulaw } from '@voice/audio-codec';
import { FakeTwilioClient, newTwilioSid } from '@voice/testing';
import { computeSignature } from '@voice/twilio-protocol';
import { tokenFrom } from '../src/e2e/harness.spec-helper';
import { OFFLINE_AUTH_TOKEN, OFFLINE_PUBLIC_HOST, ORDER_LINES, expectedReplies, startOfflineGateway, synthesizeLines } from '../src/e2e/offline.spec-helper';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const RUNS = Number(arg('runs', '3'));
const HANGOVERS = arg('hangovers', '500,400,300').split(',').map(Number);

type Sample = Record<'sttFinal' | 'llmFirstToken' | 'ttsFirstAudio' | 'firstFrame' | 'callerSide', number>;

/** ms into the line where speech ends: the last 10 ms block with RMS above -30 dBFS. */
function speechEndMs(mulaw: Uint8Array): number {
  const pcm = decodeMulaw(mulaw);
  for (let end = pcm.length; end >= 80; end -= 80) {
    let sum = 0;
    for (let i = end - 80; i < end; i++) sum += pcm[i]! * pcm[i]!;
    if (Math.sqrt(sum / 80) > 32768 * 0.0316) return end / 8;
  }
  return 0;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
};

async function runDialog(hangoverMs: number, lines: Uint8Array[], replies: string[][]): Promise<Sample[]> {
  const g = await startOfflineGateway({ LOG_LEVEL: 'info', LOCAL_STT_HANGOVER_MS: String(hangoverMs) });
  const callSid = newTwilioSid('CA');
  const params = { CallSid: callSid };
  const res = await fetch(`http://127.0.0.1:${g.port}/incoming-call`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeSignature(OFFLINE_AUTH_TOKEN, `https://${OFFLINE_PUBLIC_HOST}/incoming-call`, params) },
    body: new URLSearchParams(params).toString(),
  });
  const client = await new FakeTwilioClient({ url: `ws://127.0.0.1:${g.port}/ws`, authToken: OFFLINE_AUTH_TOKEN, signedUrl: `wss://${OFFLINE_PUBLIC_HOST}/ws`, callSid, customParameters: { token: tokenFrom(await res.text()) } }).connect();
  const turns = (): string[] => [...new Set(client.marks.map((m) => m.name.split(':')[0] as string))];
  const played = (k: number) => (c: FakeTwilioClient) => {
    const id = turns()[k];
    return id !== undefined && c.marks.filter((m) => m.name.startsWith(`${id}:`) && m.echoedAt !== undefined).length === replies[k]!.length;
  };
  const callerSide: number[] = [];
  try {
    await client.waitFor(played(0), 20_000);
    for (const [i, line] of lines.entries()) {
      const before = client.mediaArrivalTimes().length;
      const start = performance.now();
      await client.sendMulaw(concatBytes([line, new Uint8Array(8 * (hangoverMs + 700)).fill(0xff)]));
      await client.waitFor((c) => c.mediaArrivalTimes().length > before, 10_000);
      callerSide.push(client.mediaArrivalTimes()[before]! - (start + speechEndMs(line)));
      await client.waitFor(played(i + 1), 25_000);
    }
  } finally {
    await client.close();
    await g.close();
  }
  const logged = g.logs.filter((l) => l['msg'] === 'turn latency');
  if (logged.length !== lines.length) throw new Error(`expected ${lines.length} timed turns, got ${logged.length}`);
  return logged.map((l, i) => ({
    sttFinal: l['sttFinalMs'] as number,
    llmFirstToken: (l['llmFirstTokenMs'] as number) - (l['sttFinalMs'] as number),
    ttsFirstAudio: (l['ttsFirstAudioMs'] as number) - (l['llmFirstTokenMs'] as number),
    firstFrame: (l['firstFrameMs'] as number) - (l['ttsFirstAudioMs'] as number),
    total: l['firstFrameMs'] as number,
    callerSide: callerSide[i]!,
  })) as unknown as Sample[];
}

async function main(): Promise<void> {
  const lines = await synthesizeLines(ORDER_LINES);
  const replies = expectedReplies(ORDER_LINES);
  const results: Record<string, Record<string, { p50: number; p90: number; n: number }>> = {};
  for (const hangover of HANGOVERS) {
    const samples: Array<Record<string, number>> = [];
    for (let r = 0; r < RUNS; r++) samples.push(...((await runDialog(hangover, lines, replies)) as unknown as Array<Record<string, number>>));
    const stats: Record<string, { p50: number; p90: number; n: number }> = {};
    for (const k of ['sttFinal', 'llmFirstToken', 'ttsFirstAudio', 'firstFrame', 'total', 'callerSide']) {
      const xs = samples.map((s) => s[k]!);
      stats[k] = { p50: +quantile(xs, 0.5).toFixed(1), p90: +quantile(xs, 0.9).toFixed(1), n: xs.length };
    }
    results[`hangover ${hangover} ms`] = stats;
  }
  console.log(JSON.stringify({ bench: 'offline-voice-to-voice', runs: RUNS, turnsPerRun: ORDER_LINES.length, results }, null, 2));
  const rows: Array<[string, string]> = [
    ['sttFinal', 'speech end → STT final (VAD hangover + decode)'],
    ['llmFirstToken', 'STT final → LLM first token (scripted)'],
    ['ttsFirstAudio', 'LLM first token → TTS first audio (flite)'],
    ['firstFrame', 'TTS first audio → first frame sent (pacer)'],
    ['total', 'speech end → first frame sent (gateway clock)'],
    ['callerSide', "speech end → first frame received (caller's clock)"],
  ];
  const keys = Object.keys(results);
  console.log(`\n| stage | ${keys.map((k) => `${k} p50 / p90 ms`).join(' | ')} |`);
  console.log(`| --- | ${keys.map(() => '---').join(' | ')} |`);
  for (const [k, label] of rows) console.log(`| ${label} | ${keys.map((h) => `${results[h]![k]!.p50} / ${results[h]![k]!.p90}`).join(' | ')} |`);
  const base = keys[0]!;
  for (const k of keys.slice(1)) {
    const ratio = (stage: string) => (results[k]![stage]!.p50 / results[base]![stage]!.p50).toFixed(2);
    console.log(`p50 ratio ${k} / ${base}: gateway clock ${ratio('total')}, caller's clock ${ratio('callerSide')}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
