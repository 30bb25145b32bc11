/**
 * What the buffer costs on the way to a reply's first audio, against the straightforward ways to do the same work
 * in the same run (ratios matter; absolute numbers depend on the host):
 * - snippet WAV: wavBase64 (audio-codec writeWav: header + one copy) vs wavefile fromScratch + base64, 6 s at 24 kHz;
 * - caller turn: addCallerTurn with 10 s of 8 kHz audio (resamples only the kept 6 s) vs resample() of the whole
 *   utterance, then slicing;
 * - request body, 24 s of context in 4 turns: warm (every snippet already encoded: each later sentence of a reply),
 *   cold (one new turn to encode: the first sentence after a caller turn), and a naive JSON.stringify of an object
 *   whose snippets are re-encoded with writeWav on every request.
 */
import { WaveFile } from 'wavefile';
import { resample, writeWav } from '@voice/audio-codec';
import { ContextBuffer } from '../src/index';
import { wavBase64 } from '../src/wav-base64';

const R = 24_000;

function voice(samples: number, rate: number, seed: number): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = i / rate;
    out[i] = Math.round(6000 * Math.sin(2 * Math.PI * (170 + seed) * t) + 3000 * Math.sin(2 * Math.PI * 1300 * t));
  }
  return out;
}

let sink = 0;
/** Best of `rounds` × mean µs per call over `iters` calls. */
function measure(iters: number, fn: () => number, rounds = 5): number {
  for (let i = 0; i < Math.max(2, iters / 5); i++) sink += fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) sink += fn();
    best = Math.min(best, ((performance.now() - t0) * 1000) / iters);
  }
  return best;
}

const snippet6s = voice(6 * R, R, 1);
const caller10s = voice(10 * 8000, 8000, 2);

function filledBuffer(): ContextBuffer {
  const b = new ContextBuffer();
  for (let i = 0; i < 4; i++) b.addCallerTurn(`Caller turn number ${i}, saying something about an order.`, { samples: voice(6 * R, R, i), sampleRate: R });
  return b;
}

const warm = filledBuffer();
const cold = filledBuffer();
let coldTurn = 0;
const naiveTurns = Array.from({ length: 4 }, (_, i) => ({ speaker_id: 1, text: `Caller turn number ${i}, saying something about an order.`, samples: voice(6 * R, R, i) }));

const rows: { case: string; ours: string; usPerCall: number; peer: string; peerUsPerCall: number }[] = [];
function row(name: string, ours: string, a: number, peer: string, b: number): void {
  rows.push({ case: name, ours, usPerCall: Math.round(a * 10) / 10, peer, peerUsPerCall: Math.round(b * 10) / 10 });
}

row(
  'snippet WAV, 6 s',
  'wavBase64',
  measure(200, () => wavBase64(snippet6s, R).length),
  'wavefile fromScratch + base64',
  measure(20, () => {
    const w = new WaveFile();
    w.fromScratch(1, R, '16', snippet6s);
    return Buffer.from(w.toBuffer()).toString('base64').length;
  }),
);
row(
  'caller turn, 10 s at 8 kHz',
  'addCallerTurn',
  measure(100, () => {
    const b = new ContextBuffer();
    return b.addCallerTurn('hello', { samples: caller10s, sampleRate: 8000 })?.audioSeconds ?? 0;
  }),
  'resample all + slice',
  measure(50, () => {
    const all = resample(caller10s, 8000, R);
    return all.slice(all.length - 6 * R).length;
  }),
);
const naive = (): number =>
  JSON.stringify({
    speaker_id: 0,
    prompt_text: 'Sure, what is the address?',
    context: naiveTurns.map((t) => {
      const w = writeWav(t.samples, R);
      return { speaker_id: t.speaker_id, text: t.text, audio: Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('base64') };
    }),
  }).length;
const naiveUs = measure(10, naive);
row('request body, 24 s / 4 turns (warm)', 'toRequestBody', measure(200, () => warm.toRequestBody({ promptText: 'Sure, what is the address?' }).bytes), 'naive JSON.stringify', naiveUs);
row(
  'request body, 24 s / 4 turns (1 new turn)',
  'addCallerTurn + toRequestBody',
  measure(50, () => {
    cold.addCallerTurn(`new turn ${coldTurn++}`, { samples: snippet6s, sampleRate: R });
    return cold.toRequestBody({ promptText: 'Sure, what is the address?' }).bytes;
  }),
  'naive JSON.stringify',
  naiveUs,
);

const meta = { node: process.version, platform: `${process.platform}-${process.arch}`, sink: sink > 0 };
console.log(JSON.stringify({ bench: '@voice/context-buffer', meta, rows }));
console.log('\n| case | ours | µs/call | peer | µs/call | peer / ours |\n| --- | --- | ---: | --- | ---: | ---: |');
for (const r of rows) console.log(`| ${r.case} | ${r.ours} | ${r.usPerCall} | ${r.peer} | ${r.peerUsPerCall} | ${(r.peerUsPerCall / r.usPerCall).toFixed(1)}× |`);
