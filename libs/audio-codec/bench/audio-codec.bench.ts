/**
 * `nx run @voice/audio-codec:bench`: μ-law and resampler numbers against peers measured in the same run.
 * Prints one JSON document, then markdown tables (the README carries the latest ones).
 * Run it while no other benchmark runs on the machine, so their timings do not overlap.
 */
import { cpus } from 'node:os';
import { runMulawBench, type MulawRow } from './mulaw-bench';
import { runResampleBench, type ResampleRow } from './resample-bench';
import { libsamplerate, loadLibsamplerate, loadSpeex, ours, speex, wavefile } from './resample-peers';

const PAIRS = [
  [24000, 8000],
  [22050, 8000],
  [16000, 8000],
  [8000, 16000],
  [8000, 24000],
] as const;
const ROUNDS = 9;

const f = (v: number | undefined, digits = 1): string => (v === undefined ? '-' : v === -Infinity ? '-inf (all zero)' : v.toFixed(digits));

function mulawTable(rows: readonly MulawRow[]): string {
  const lines = [
    '| op | size | implementation | ns/sample | µs per 20 ms frame | Msamples/s | × alawmulaw (range) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.op} | ${r.size} | ${r.implementation} | ${r.nsPerSample.toFixed(2)} | ${r.usPerFrame.toFixed(3)} | ${r.msamplesPerSec.toFixed(0)} | ${r.xAlawmulaw.toFixed(2)}× (${r.range}) |`,
    );
  }
  return lines.join('\n');
}

function resampleTable(rows: readonly ResampleRow[], pair: string): string {
  const up = pair.startsWith('8000->');
  const lines = [
    `### ${pair}`,
    '',
    `| candidate | ${up ? '5.01 kHz image of 2.99 kHz dBc' : '5 kHz alias dBFS'} | max passband err ≤3 kHz dB | gain @3.4 kHz dB | 1 kHz SNR vs ideal dB | whole ×RT | stream ×RT (20 ms) | µs/20 ms | × speex q5 (stream) | chunked == whole | latency ms |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows.filter((x) => x.pair === pair)) {
    lines.push(
      `| ${r.candidate} | ${f(r.aliasDb)} | ${f(r.passbandErrDb, 4)} | ${f(r.gain3k4Db, 2)} | ${f(r.snr1kDb)} | ${f(r.wholeXRT, 0)} | ${f(r.streamXRT, 0)} | ${f(r.usPer20ms)} | ${r.xSpeexStream === undefined ? '-' : `${r.xSpeexStream.toFixed(2)}×`} | ${r.chunkedEqualsWhole} | ${f(r.latencyMs, 2)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const speexModule = await loadSpeex();
  const lsr = loadLibsamplerate();
  const candidates = [
    ours('default'),
    ours('high'),
    speex(speexModule, 5),
    await libsamplerate(lsr, 'SINC_MEDIUM', PAIRS, 12),
    await libsamplerate(lsr, 'SINC_FASTEST', PAIRS, 12),
    wavefile('cubic'),
    wavefile('sinc'),
  ];
  const mulaw = runMulawBench(ROUNDS);
  const resampling = runResampleBench(candidates, PAIRS, ROUNDS);
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`;
  const result = { date: new Date().toISOString(), machine, rounds: ROUNDS, seconds: (Date.now() - started) / 1000, mulaw, resampling };
  console.log(JSON.stringify(result, null, 2));
  console.log(`\n## μ-law (CPU time, median of ${ROUNDS} interleaved rounds; ${machine})\n`);
  console.log(mulawTable(mulaw));
  console.log(`\n## Resampling (quality is deterministic; speed is CPU time, median of ${ROUNDS} interleaved rounds)\n`);
  for (const [from, to] of PAIRS) console.log(`${resampleTable(resampling, `${from}->${to}`)}\n`);
  console.log(`bench took ${result.seconds.toFixed(1)} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
