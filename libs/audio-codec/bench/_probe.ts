import { getDesign, type DecimatorDesign } from '../src/resampler-design';
import { noise } from '../src/spec-helpers/signals';
import { cpuMicrosPerCall, interleaved } from './timing';
const d = getDesign(24000, 8000, 'default') as DecimatorDesign;
const x = noise(24000 * 2, 1);
const H = d.half;
const bufI = new Int16Array(x.length + 2 * H); bufI.set(x, H);
const bufF = new Float64Array(x.length + 2 * H); bufF.set(x, H);
const n = Math.floor(x.length / 3) - 20;
const out = new Int16Array(n);
const toInt16 = (acc: number): number => (acc >= 32767 ? 32767 : acc <= -32768 ? -32768 : Math.floor(acc + 0.5));
function cur(buf: Int16Array) {
  const { center, offsets, gains } = d; const pairs = offsets.length; let p = H;
  for (let k = 0; k < n; k++) { let acc = center * buf[p]; for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); } out[k] = toInt16(acc); p += 3; }
}
// stride: group offsets 3m+1 and 3m+2
const M = Math.ceil(H / 3);
const g1 = new Float64Array(M), g2 = new Float64Array(M);
d.offsets.forEach((o, i) => { if (o % 3 === 1) g1[(o - 1) / 3] = d.gains[i]; else g2[(o - 2) / 3] = d.gains[i]; });
function stride(buf: Int16Array) {
  let p = H; const c = d.center;
  for (let k = 0; k < n; k++) {
    let acc = c * buf[p];
    for (let m = 0, l = p - 1, r = p + 1; m < M; m++, l -= 3, r += 3) acc += g1[m] * (buf[l] + buf[r]) + g2[m] * (buf[l - 1] + buf[r + 1]);
    out[k] = toInt16(acc); p += 3;
  }
}
function strideF(buf: Float64Array) {
  let p = H; const c = d.center;
  for (let k = 0; k < n; k++) {
    let acc = c * buf[p];
    for (let m = 0, l = p - 1, r = p + 1; m < M; m++, l -= 3, r += 3) acc += g1[m] * (buf[l] + buf[r]) + g2[m] * (buf[l - 1] + buf[r + 1]);
    out[k] = toInt16(acc); p += 3;
  }
}
// two outputs per pass sharing coefficient loads
function block2(buf: Int16Array) {
  const { center, offsets, gains } = d; const pairs = offsets.length; let p = H; let k = 0;
  for (; k + 1 < n; k += 2) {
    let a0 = center * buf[p], a1 = center * buf[p + 3];
    for (let i = 0; i < pairs; i++) { const o = offsets[i], g = gains[i]; a0 += g * (buf[p - o] + buf[p + o]); a1 += g * (buf[p + 3 - o] + buf[p + 3 + o]); }
    out[k] = toInt16(a0); out[k + 1] = toInt16(a1); p += 6;
  }
}
console.log('M', M, 'pairs', d.offsets.length, 'H', H);
const jobs = { cur: () => cpuMicrosPerCall(() => cur(bufI), 80), stride: () => cpuMicrosPerCall(() => stride(bufI), 80), strideF: () => cpuMicrosPerCall(() => strideF(bufF), 80), block2: () => cpuMicrosPerCall(() => block2(bufI), 80) };
const t = interleaved(jobs, 7);
for (const [k, v] of Object.entries(t)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
import { Resampler } from '../src/resampler';
const r = new Resampler(24000, 8000);
const o2 = new Int16Array(r.maxOutputLength(x.length));
const rs = new Resampler(24000, 8000);
const o3 = new Int16Array(rs.maxOutputLength(480));
const t2 = interleaved({
  cur: () => cpuMicrosPerCall(() => cur(bufI), 80),
  libWhole: () => cpuMicrosPerCall(() => { r.process(x, o2); r.flush(); }, 80),
  libStream: () => cpuMicrosPerCall(() => { for (let a = 0; a < x.length; a += 480) rs.process(x.subarray(a, a + 480), o3); rs.flush(); }, 80),
}, 7);
for (const [k, v] of Object.entries(t2)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
function libCopy(buf: Int16Array, center: number, offsets: Int32Array, gains: Float64Array, dst: Int16Array, n: number, p0: number, m: number) {
  const pairs = offsets.length; let p = p0;
  for (let k = 0; k < n; k++) {
    let acc = center * buf[p];
    for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); }
    dst[k] = toInt16(acc); p += m;
  }
}
const t3 = interleaved({
  cur: () => cpuMicrosPerCall(() => cur(bufI), 80),
  libCopy: () => cpuMicrosPerCall(() => libCopy(bufI, d.center, d.offsets, d.gains, out, n, H, 3), 80),
  libWhole: () => cpuMicrosPerCall(() => { r.process(x, o2); r.flush(); }, 80),
}, 7);
for (const [k, v] of Object.entries(t3)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
function makeRun(dd: DecimatorDesign) {
  const center = dd.center, offsets = dd.offsets, gains = dd.gains, m = dd.factor, pairs = offsets.length;
  return (buf: Int16Array, dst: Int16Array, n: number, p0: number) => {
    let p = p0;
    for (let k = 0; k < n; k++) {
      let acc = center * buf[p];
      for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); }
      dst[k] = toInt16(acc); p += m;
    }
  };
}
const other = makeRun(getDesign(48000, 8000, 'default') as DecimatorDesign);
const other2 = makeRun(getDesign(16000, 8000, 'default') as DecimatorDesign);
const mine = makeRun(d);
const t4 = interleaved({
  cur: () => cpuMicrosPerCall(() => cur(bufI), 80),
  closureSingle: () => cpuMicrosPerCall(() => mine(bufI, out, n, H), 80),
  libCopy: () => cpuMicrosPerCall(() => libCopy(bufI, d.center, d.offsets, d.gains, out, n, H, 3), 80),
}, 5);
for (const [k, v] of Object.entries(t4)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
other(bufI, out, 1000, 200); other2(bufI, out, 1000, 200);
const t5 = interleaved({ closureAfterOthers: () => cpuMicrosPerCall(() => mine(bufI, out, n, H), 80) }, 5);
for (const [k, v] of Object.entries(t5)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
function litPairs(buf: Int16Array, center: number, offsets: Int32Array, gains: Float64Array, dst: Int16Array, n: number, p0: number, m: number) {
  let p = p0;
  for (let k = 0; k < n; k++) {
    let acc = center * buf[p];
    for (let i = 0; i < 26; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); }
    dst[k] = toInt16(acc); p += m;
  }
}
function litOut(buf: Int16Array, center: number, offsets: Int32Array, gains: Float64Array, n: number, p0: number, m: number) {
  const pairs = offsets.length; let p = p0;
  for (let k = 0; k < n; k++) {
    let acc = center * buf[p];
    for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); }
    out[k] = toInt16(acc); p += m;
  }
}
const gOff = d.offsets, gGain = d.gains;
function constArrays(buf: Int16Array, center: number, dst: Int16Array, n: number, p0: number, m: number) {
  const pairs = gOff.length; let p = p0;
  for (let k = 0; k < n; k++) {
    let acc = center * buf[p];
    for (let i = 0; i < pairs; i++) { const o = gOff[i]; acc += gGain[i] * (buf[p - o] + buf[p + o]); }
    dst[k] = toInt16(acc); p += m;
  }
}
const t6 = interleaved({
  cur: () => cpuMicrosPerCall(() => cur(bufI), 80),
  litPairs: () => cpuMicrosPerCall(() => litPairs(bufI, d.center, d.offsets, d.gains, out, n, H, 3), 80),
  litOut: () => cpuMicrosPerCall(() => litOut(bufI, d.center, d.offsets, d.gains, n, H, 3), 80),
  constArrays: () => cpuMicrosPerCall(() => constArrays(bufI, d.center, out, n, H, 3), 80),
}, 5);
for (const [k, v] of Object.entries(t6)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
const gC = d.center;
function allConst(buf: Int16Array, nn: number, p0: number) {
  let p = p0;
  for (let k = 0; k < nn; k++) {
    let acc = gC * buf[p];
    for (let i = 0; i < 26; i++) { const o = gOff[i]; acc += gGain[i] * (buf[p - o] + buf[p + o]); }
    out[k] = toInt16(acc); p += 3;
  }
}
function constM(buf: Int16Array, center: number, offsets: Int32Array, gains: Float64Array, dst: Int16Array, n: number, p0: number) {
  const pairs = offsets.length; let p = p0;
  for (let k = 0; k < n; k++) {
    let acc = center * buf[p];
    for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); }
    dst[k] = toInt16(acc); p += 3;
  }
}
const t7 = interleaved({
  cur: () => cpuMicrosPerCall(() => cur(bufI), 80),
  allConst: () => cpuMicrosPerCall(() => allConst(bufI, n, H), 80),
  constM: () => cpuMicrosPerCall(() => constM(bufI, d.center, d.offsets, d.gains, out, n, H), 80),
}, 5);
for (const [k, v] of Object.entries(t7)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
function cur2(buf: Int16Array) {
  const { center, offsets, gains } = d; const pairs = offsets.length; let p = H;
  for (let k = 0; k < n; k++) { let acc = center * buf[p]; for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); } out[k] = toInt16(acc); p += 3; }
}
const t8 = interleaved({
  cur2: () => cpuMicrosPerCall(() => cur2(bufI), 80),
  cur: () => cpuMicrosPerCall(() => cur(bufI), 80),
}, 5);
for (const [k, v] of Object.entries(t8)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
function paramN(buf: Int16Array, nn: number) {
  const { center, offsets, gains } = d; const pairs = offsets.length; let p = H;
  for (let k = 0; k < nn; k++) { let acc = center * buf[p]; for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); } out[k] = toInt16(acc); p += 3; }
}
function paramP(buf: Int16Array, p0: number) {
  const { center, offsets, gains } = d; const pairs = offsets.length; let p = p0;
  for (let k = 0; k < n; k++) { let acc = center * buf[p]; for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); } out[k] = toInt16(acc); p += 3; }
}
const t9 = interleaved({
  cur: () => cpuMicrosPerCall(() => cur(bufI), 80),
  paramN: () => cpuMicrosPerCall(() => paramN(bufI, n), 80),
  paramP: () => cpuMicrosPerCall(() => paramP(bufI, H), 80),
}, 5);
for (const [k, v] of Object.entries(t9)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
function objParam(dd: DecimatorDesign, buf: Int16Array, dst: Int16Array, nn: number, p0: number) {
  const { center, offsets, gains } = dd; const pairs = offsets.length; let p = p0; const m = dd.factor;
  for (let k = 0; k < nn; k++) { let acc = center * buf[p]; for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); } dst[k] = toInt16(acc); p += m; }
}
function objParamM3(dd: DecimatorDesign, buf: Int16Array, dst: Int16Array, nn: number, p0: number) {
  const { center, offsets, gains } = dd; const pairs = offsets.length; let p = p0;
  for (let k = 0; k < nn; k++) { let acc = center * buf[p]; for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); } dst[k] = toInt16(acc); p += 3; }
}
function objParamOut(dd: DecimatorDesign, buf: Int16Array, nn: number, p0: number) {
  const { center, offsets, gains } = dd; const pairs = offsets.length; let p = p0;
  for (let k = 0; k < nn; k++) { let acc = center * buf[p]; for (let i = 0; i < pairs; i++) { const o = offsets[i]; acc += gains[i] * (buf[p - o] + buf[p + o]); } out[k] = toInt16(acc); p += 3; }
}
const t10 = interleaved({
  cur: () => cpuMicrosPerCall(() => cur(bufI), 80),
  objParam: () => cpuMicrosPerCall(() => objParam(d, bufI, out, n, H), 80),
  objParamM3: () => cpuMicrosPerCall(() => objParamM3(d, bufI, out, n, H), 80),
  objParamOut: () => cpuMicrosPerCall(() => objParamOut(d, bufI, n, H), 80),
}, 5);
for (const [k, v] of Object.entries(t10)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
function strideP(c: number, h1: Float64Array, h2: Float64Array, buf: Int16Array, dst: Int16Array, nn: number, p0: number, m: number) {
  let p = p0; const MM = h1.length;
  for (let k = 0; k < nn; k++) {
    let acc = c * buf[p];
    for (let j = 0, l = p - 1, r = p + 1; j < MM; j++, l -= 3, r += 3) acc += h1[j] * (buf[l] + buf[r]) + h2[j] * (buf[l - 1] + buf[r + 1]);
    dst[k] = toInt16(acc); p += m;
  }
}
function stridePF(c: number, h1: Float64Array, h2: Float64Array, buf: Float64Array, dst: Int16Array, nn: number, p0: number, m: number) {
  let p = p0; const MM = h1.length;
  for (let k = 0; k < nn; k++) {
    let acc = c * buf[p];
    for (let j = 0, l = p - 1, r = p + 1; j < MM; j++, l -= 3, r += 3) acc += h1[j] * (buf[l] + buf[r]) + h2[j] * (buf[l - 1] + buf[r + 1]);
    dst[k] = toInt16(acc); p += m;
  }
}
const inter = new Float64Array(2 * d.offsets.length); d.offsets.forEach((o, i) => { inter[2 * i] = o; inter[2 * i + 1] = d.gains[i]; });
function interP(c: number, og: Float64Array, buf: Int16Array, dst: Int16Array, nn: number, p0: number, m: number) {
  let p = p0; const L = og.length;
  for (let k = 0; k < nn; k++) {
    let acc = c * buf[p];
    for (let i = 0; i < L; i += 2) { const o = og[i]; acc += og[i + 1] * (buf[p - o] + buf[p + o]); }
    dst[k] = toInt16(acc); p += m;
  }
}
const t11 = interleaved({
  cur: () => cpuMicrosPerCall(() => cur(bufI), 80),
  libCopy: () => cpuMicrosPerCall(() => libCopy(bufI, d.center, d.offsets, d.gains, out, n, H, 3), 80),
  strideP: () => cpuMicrosPerCall(() => strideP(d.center, g1, g2, bufI, out, n, H, 3), 80),
  stridePF: () => cpuMicrosPerCall(() => stridePF(d.center, g1, g2, bufF, out, n, H, 3), 80),
  interP: () => cpuMicrosPerCall(() => interP(d.center, inter, bufI, out, n, H, 3), 80),
}, 5);
for (const [k, v] of Object.entries(t11)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
const J = Math.ceil(H / 3);
const coefR = new Float64Array(2 * J);
d.offsets.forEach((o, i) => { const r = o % 3; const j = (o - r) / 3; coefR[(r - 1) * J + j] = d.gains[i]; });
function residue(c: number, coef: Float64Array, jn: number, buf: Float64Array, dst: Int16Array, nn: number, p0: number, m: number) {
  let p = p0;
  for (let k = 0; k < nn; k++) {
    let acc = c * buf[p];
    for (let r = 1; r < m; r++) {
      const base = (r - 1) * jn;
      for (let j = 0, l = p - r, q = p + r; j < jn; j++, l -= m, q += m) acc += coef[base + j] * (buf[l] + buf[q]);
    }
    dst[k] = toInt16(acc); p += m;
  }
}
const t12 = interleaved({
  stridePF: () => cpuMicrosPerCall(() => stridePF(d.center, g1, g2, bufF, out, n, H, 3), 80),
  residue: () => cpuMicrosPerCall(() => residue(d.center, coefR, J, bufF, out, n, H, 3), 80),
}, 5);
for (const [k, v] of Object.entries(t12)) console.log(k, (2e6 / v.median).toFixed(0), 'xRT');
// correctness check vs cur
cur(bufI); const ref = out.slice(); residue(d.center, coefR, J, bufF, out, n, H, 3);
let diff = 0; for (let i = 0; i < n; i++) diff = Math.max(diff, Math.abs(ref[i] - out[i])); console.log('maxdiff', diff);
