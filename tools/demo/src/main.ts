/* Call simulator demo of the libraries: a fake Twilio caller against a small echo agent, real sockets, real time. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readWav, resample, writeMulawWav } from '@voice/audio-codec';
import { FakeTwilioClient } from '@voice/testing';
import { DEMO_SCRIPT, synthesizeCaller } from './caller-audio';
import { startEchoAgent } from './echo-agent';

const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));

async function main(): Promise<void> {
  const input = process.argv[2];
  const outPath = resolve(process.argv[3] ?? 'tmp/demo-agent.wav');
  let caller: Int16Array;
  if (input) {
    const wav = readWav(readFileSync(input));
    caller = wav.sampleRate === 8000 ? wav.samples : resample(wav.samples, wav.sampleRate, 8000);
  } else {
    caller = synthesizeCaller(DEMO_SCRIPT);
  }

  const agent = await startEchoAgent();
  const client = new FakeTwilioClient({ url: agent.url });
  console.log(`Voice Presence call simulator demo (libraries only; the gateway app comes later)`);
  console.log(`agent: ${agent.url}   caller audio: ${input ?? 'synthetic script'} (${(caller.length / 8000).toFixed(1)} s)`);
  await client.connect();
  await client.sendPcm16(caller, 8000);
  await client.waitFor((c) => c.bufferedMs() === 0, 5000).catch(() => undefined);
  await client.hangUp();
  await agent.close();

  console.log('\n| turn | caller audio (ms) | agent: speech end → first frame sent (ms) | marks echoed by Twilio (played/flushed) | barge-in: onset → clear sent (ms) | dropped on clear (ms) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const t of agent.turns) {
    const echoes = client.marks.filter((m) => t.marks.includes(m.name) && m.echoedAt !== undefined);
    const played = echoes.filter((m) => !m.flushed).length;
    console.log(
      `| ${t.turn} | ${(t.bytes / 8).toFixed(0)} | ${fmt(t.firstFrameAt === undefined ? undefined : t.firstFrameAt - t.callerEndAt)} | ` +
        `${played}/${echoes.length - played} | ${fmt(t.bargeIn && t.bargeIn.clearAt - t.bargeIn.onsetAt)} | ${fmt(t.bargeIn?.droppedMs)} |`,
    );
  }
  const arrivals = client.mediaArrivalTimes();
  // Gaps inside a reply (a pause of > 300 ms is the silence between two replies, not jitter).
  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]).filter((g) => g < 300).sort((a, b) => a - b);
  const pct = (p: number) => gaps[Math.min(gaps.length - 1, Math.floor((p / 100) * gaps.length))];
  console.log(`\nmedia frames received: ${arrivals.length}; inter-frame gap inside replies (ms): p50 ${fmt(pct(50))}, p99 ${fmt(pct(99))}, max ${fmt(gaps.at(-1))}`);
  console.log('(the pacer sends the first 60 ms of a reply at once as lead, so early gaps are ~0 and later ones ~20)');
  console.log(`protocol violations seen by the fake Twilio: ${client.violations.length}; agent parse errors: ${agent.errors.length}`);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, writeMulawWav(client.playedAudio()));
  console.log(`agent audio as the caller heard it: ${outPath}`);
  if (client.violations.length > 0 || agent.turns.length === 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
