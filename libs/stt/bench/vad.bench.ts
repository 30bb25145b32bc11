// VAD hot path: µs per 20 ms frame at 8 kHz. Compares @voice/stt's createVad (fvad.wasm instantiated directly)
// with the same WASM driven through the package's own Emscripten glue (`_fvad_new`, `HEAP16`, `_fvad_process`: the
// libfvad C API, https://github.com/dpirch/libfvad), in one run.
// Run: npx nx run @voice/stt:bench   (with no other benchmark running)
import { decodeMulaw, encodeMulaw } from '@voice/audio-codec';
import { createVad } from '../src/vad/vad';
import { concatPcm, quietNoise, syntheticVowel } from '../src/testing/synthetic-speech';

interface GlueModule {
  _fvad_new(): number;
  _fvad_set_sample_rate(inst: number, rate: number): number;
  _fvad_set_mode(inst: number, mode: number): number;
  _fvad_process(inst: number, buf: number, n: number): number;
  _malloc(n: number): number;
  HEAP16: Int16Array;
}

const FRAME = 160;
const pcm = concatPcm(quietNoise(2000), syntheticVowel(3000), quietNoise(2000, { seed: 3 }), syntheticVowel(3000));
const frames = Array.from({ length: pcm.length / FRAME }, (_, i) => pcm.slice(i * FRAME, (i + 1) * FRAME));
const mulawFrames = frames.map((f) => encodeMulaw(f));
const ROUNDS = 10;

/** Runs every case in turn, many times, and keeps each case's median: interleaving spreads machine noise evenly. */
function timeAll(cases: Record<string, () => number>): Record<string, { usPerFrame: number; speech: number }> {
  const names = Object.keys(cases);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const speech: Record<string, number> = {};
  for (const n of names) speech[n] = cases[n](); // warm-up
  for (let r = 0; r < 15; r++) {
    for (const n of names) {
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < ROUNDS; k++) speech[n] = cases[n]();
      samples[n].push(Number(process.hrtime.bigint() - t0) / 1000 / (ROUNDS * frames.length));
    }
  }
  return Object.fromEntries(
    names.map((n) => {
      const v = samples[n].sort((a, b) => a - b);
      return [n, { usPerFrame: v[Math.floor(v.length / 2)], speech: speech[n] }];
    }),
  );
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const vad = await createVad({ sampleRate: 8000, mode: 3 });
  const initMs = performance.now() - t0;

  // The package's glue is an ES module; Node ≥ 20.19 can require() it outside Jest.
  const glueFactory = require('@echogarden/fvad-wasm').default as () => Promise<GlueModule>;
  const g0 = performance.now();
  const m = await glueFactory();
  const glueInitMs = performance.now() - g0;
  const inst = m._fvad_new();
  m._fvad_set_sample_rate(inst, 8000);
  m._fvad_set_mode(inst, 3);
  const buf = m._malloc(FRAME * 2);

  const out = new Int16Array(FRAME);
  const results = timeAll({
    'fvad via package glue (peer)': () => {
      let s = 0;
      for (const f of frames) {
        m.HEAP16.set(f, buf >> 1);
        s += m._fvad_process(inst, buf, FRAME);
      }
      return s;
    },
    '@voice/stt createVad isSpeech': () => {
      let s = 0;
      for (const f of frames) s += vad.isSpeech(f) ? 1 : 0;
      return s;
    },
    '@voice/stt process (+endpointer)': () => {
      let s = 0;
      for (const f of frames) s += vad.process(f).speech ? 1 : 0;
      return s;
    },
    'μ-law decode + process (gateway frame)': () => {
      let s = 0;
      for (const f of mulawFrames) s += vad.process(decodeMulaw(f, out)).speech ? 1 : 0;
      return s;
    },
  });
  const peer = results['fvad via package glue (peer)'].usPerFrame;
  const rows = Object.entries(results).map(([name, r]) => ({
    name,
    usPerFrame: Number(r.usPerFrame.toFixed(3)),
    vsPeer: Number((r.usPerFrame / peer).toFixed(2)),
    speechFrames: r.speech,
    realtimeX: Math.round(20_000 / r.usPerFrame),
  }));
  console.log(JSON.stringify({ bench: 'stt-vad', framesPerSample: frames.length * ROUNDS, samplesPerCase: 15, initMs: { createVad: initMs, glue: glueInitMs }, rows }, null, 2));
  console.log(`\n| case | µs / 20 ms frame | vs peer | speech frames (of ${frames.length}) | × real time |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.name} | ${r.usPerFrame} | ${r.vsPeer} | ${r.speechFrames} | ${r.realtimeX.toLocaleString('en-US')} |`);
  console.log(`\ninit: createVad ${initMs.toFixed(1)} ms (first, compiles the WASM), package glue ${glueInitMs.toFixed(1)} ms`);
  vad.dispose();
}

void main();
