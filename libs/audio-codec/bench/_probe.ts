import { mulaw } from 'alawmulaw';
import { encodeMulaw, decodeMulaw } from '../src/mulaw';
const table = new Uint8Array(65536);
const pcmAll = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const enc = encodeMulaw(pcmAll);
for (let i = 0; i < 65536; i++) table[(i - 32768) & 0xffff] = enc[i];
const t14 = new Uint8Array(16384);
for (let i = 0; i < 65536; i++) t14[((i - 32768) >> 2) & 0x3fff] = enc[i];
function enc14(pcm: Int16Array, out: Uint8Array) {
  const n = pcm.length;
  for (let i = 0; i < n; i++) out[i] = t14[(pcm[i] >> 2) & 0x3fff];
  return out;
}
function viewEncode(pcm: Int16Array, out: Uint8Array) {
  const u = new Uint16Array(pcm.buffer, pcm.byteOffset, pcm.length);
  for (let i = 0; i < u.length; i++) out[i] = table[u[i]];
  return out;
}
const frame = Int16Array.from({ length: +(process.env.N ?? 160) }, () => Math.round((Math.random() * 2 - 1) * 20000));
const out = new Uint8Array(frame.length);
const outD = new Int16Array(frame.length);
const codes = encodeMulaw(frame);
const cands: [string, () => unknown][] = [
  ['lib enc', () => encodeMulaw(frame, out)],
  ['view enc', () => viewEncode(frame, out)],
  ['t14 enc', () => enc14(frame, out)],
  ['alaw enc', () => mulaw.encode(frame)],
  ['lib dec', () => decodeMulaw(codes, outD)],
  ['alaw dec', () => mulaw.decode(codes)],
];
for (let round = 0; round < 3; round++) {
  for (const [name, fn] of cands) {
    const N = Math.round(32e6 / frame.length);
    for (let i = 0; i < 20000; i++) fn();
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) fn();
    const c = process.cpuUsage(c0);
    console.log(name, (((c.user + c.system) * 1000) / N).toFixed(0), 'ns/frame');
  }
}
