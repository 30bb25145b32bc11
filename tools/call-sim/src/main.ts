/* Call simulator CLI: check a deployment without a phone. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeMulawWav } from '@voice/audio-codec';
import { runCallSim } from './call-sim';
import { formatTurnTable } from './turn-report';

const USAGE = `usage: call-sim --url <http(s)://gateway[:port]> --wav <caller.wav> [options]
  --out <agent.wav>        where to write what the caller heard (default tmp/call-sim-agent.wav)
  --auth-token <token>     the gateway's TWILIO_AUTH_TOKEN, to sign like Twilio (env TWILIO_AUTH_TOKEN)
  --public-host <host>     the gateway's PUBLIC_HOST if it differs from the --url host
  --tail <ms>              keep listening after the caller audio (default 4000)
  --dtmf <ms>:<digits>     send keypad digits at a time, e.g. 2500:12# (repeatable)
  --json                   print the result as JSON too`;

function args(argv: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const next = argv[i + 1];
    const value = next === undefined || next.startsWith('--') ? 'true' : (i++, next);
    out.set(a.slice(2), [...(out.get(a.slice(2)) ?? []), value]);
  }
  return out;
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const url = a.get('url')?.[0];
  const wavPath = a.get('wav')?.[0];
  if (!url || !wavPath || a.has('help')) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const out = resolve(a.get('out')?.[0] ?? 'tmp/call-sim-agent.wav');
  const dtmf = (a.get('dtmf') ?? []).map((d) => {
    const [ms, digits] = d.split(':');
    return { atMs: Number(ms), digits: digits ?? '' };
  });
  const result = await runCallSim({
    url,
    wav: readFileSync(wavPath),
    authToken: a.get('auth-token')?.[0] ?? process.env['TWILIO_AUTH_TOKEN'],
    publicHost: a.get('public-host')?.[0],
    tailMs: a.has('tail') ? Number(a.get('tail')?.[0]) : undefined,
    dtmf,
  });
  console.log(`call ${result.callSid} / stream ${result.streamSid}: ${result.speech.length} caller utterance(s), ${result.turns.length} agent repl(ies)\n`);
  console.log(formatTurnTable(result.turns));
  const g = result.gaps;
  console.log(`\nagent frames inside replies: gap p50 ${g.p50.toFixed(1)} ms, p99 ${g.p99.toFixed(1)} ms, max ${g.max.toFixed(1)} ms, ${g.over} over ${g.overMs} ms`);
  console.log(`Twilio protocol violations by the gateway: ${result.violations.length}${result.violations.map((v) => `\n  ${v.code} (${v.twilioCode}): ${v.message}`).join('')}`);
  if (result.close) console.log(`stream closed: ${result.close.code} ${result.close.reason}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, writeMulawWav(result.playedMulaw));
  console.log(`agent audio as the caller heard it: ${out}`);
  if (a.has('json')) console.log(JSON.stringify({ ...result, playedMulaw: result.playedMulaw.length }, null, 2));
  if (result.violations.length > 0 || result.turns.length === 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(`call-sim: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
