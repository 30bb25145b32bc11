// Offline TTS: flite (rms) time to first audio and real-time factor, per sentence. Compares, in one run:
// - peer: the plain recipe, a fresh worker per utterance that compiles nothing but spawns,
//   instantiates and synthesizes after the text is known, writing a WAV that is read back (no μ-law);
// - createLocalTts with poolSize 0 (a worker spawned per sentence on demand) and poolSize 2 (pre-spawned, warmed).
// Run: npx nx run @voice/tts-providers:bench   (with no other benchmark running)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { compileFlite, defaultFliteWasmPath } from '../src/local/flite-module';
import { createLocalTts, type LocalTts } from '../src/local/local-tts';
import type { WasmModule } from '../src/local/wasm-api';

const SENTENCES = [
  'Yes.',
  'Thank you for calling, how can I help you today?',
  'Your total comes to $12.50, and it will be ready in ten minutes.',
  'I can book a table for two at seven tonight, or at eight thirty if you prefer a quieter time.',
  'Our opening hours are eight in the morning to six in the evening on weekdays, and nine to five on Saturdays and Sundays.',
];
const ROUNDS = 7;

const PEER_WORKER = `const { parentPort, workerData: { module, dir, text } } = require('node:worker_threads');
process.emitWarning = () => undefined;
const { WASI } = require('node:wasi');
const wasi = new WASI({ version: 'preview1', args: ['flite', '-voice', 'rms', '-t', text, '-o', '/out/out.wav'], env: {}, preopens: { '/out': dir }, returnOnExit: true });
WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport }).then((i) => parentPort.postMessage(wasi.start(i)));`;

interface Sample {
  readonly ttfaMs: number;
  readonly totalMs: number;
  readonly audioS: number;
}

async function peer(module: WasmModule, text: string): Promise<Sample> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'bench-flite-'));
  try {
    const w = new Worker(PEER_WORKER, { eval: true, workerData: { module, dir, text }, execArgv: [] });
    await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    void w.terminate();
    const wav = readFileSync(join(dir, 'out.wav'));
    const ms = performance.now() - t0;
    return { ttfaMs: ms, totalMs: ms, audioS: (wav.length - 44) / 2 / wav.readUInt32LE(24) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function provider(tts: LocalTts, text: string): Promise<Sample> {
  const t0 = performance.now();
  let ttfaMs = 0;
  let bytes = 0;
  for await (const c of tts.synthesize(text, { signal: new AbortController().signal })) {
    if (bytes === 0) ttfaMs = performance.now() - t0;
    bytes += c.data.length;
  }
  return { ttfaMs, totalMs: performance.now() - t0, audioS: bytes / 8000 };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  const t0 = performance.now();
  const module = await compileFlite(defaultFliteWasmPath(), 'bench');
  const compileMs = performance.now() - t0;
  const onDemand = createLocalTts({ poolSize: 0 });
  const pooled = createLocalTts({ poolSize: 2 });
  const warmT = performance.now();
  await pooled.warm();
  const warmMs = performance.now() - warmT;
  const cases: Record<string, (text: string) => Promise<Sample>> = {
    'peer: worker per utterance (snippet)': (t) => peer(module, t),
    'createLocalTts poolSize 0': (t) => provider(onDemand, t),
    'createLocalTts poolSize 2': (t) => provider(pooled, t),
  };
  for (const run of Object.values(cases)) await run(SENTENCES[1]); // warm-up: flite's code tiers up on first use
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(cases).map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const text of SENTENCES) {
      for (const [name, run] of Object.entries(cases)) {
        samples[name].push(await run(text));
        await new Promise((res) => setTimeout(res, 30)); // let the pool refill between sentences, as between turns
      }
    }
  }
  await onDemand.close();
  await pooled.close();
  const peerTtfa = median(samples['peer: worker per utterance (snippet)'].map((s) => s.ttfaMs));
  const results = Object.entries(samples).map(([name, s]) => {
    const ttfa = median(s.map((x) => x.ttfaMs));
    const short = median(s.filter((x) => x.audioS < 1.5).map((x) => x.ttfaMs));
    return {
      case: name,
      ttfaMsMedian: +ttfa.toFixed(1),
      ttfaMsShortSentence: +short.toFixed(1),
      rtfMedian: +median(s.map((x) => x.totalMs / 1000 / x.audioS)).toFixed(4),
      ttfaVsPeer: +(ttfa / peerTtfa).toFixed(2),
    };
  });
  const audioS = samples['createLocalTts poolSize 2'].slice(0, SENTENCES.length).map((s) => +s.audioS.toFixed(2));
  console.log(JSON.stringify({ node: process.version, rounds: ROUNDS, sentencesAudioS: audioS, compileMs: +compileMs.toFixed(1), warmPoolMs: +warmMs.toFixed(1), results }, null, 2));
  console.log('\n| case | time to first audio, median (ms) | "Yes." (ms) | RTF, median | TTFA vs peer |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results) console.log(`| ${r.case} | ${r.ttfaMsMedian} | ${r.ttfaMsShortSentence} | ${r.rtfMedian} | ${r.ttfaVsPeer} |`);
}

void main();
