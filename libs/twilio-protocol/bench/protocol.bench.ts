/**
 * Per-frame cost of the Twilio boundary (anchors measured earlier on a 2-core box: inbound 2.7 µs, outbound template
 * 0.36 µs vs JSON.stringify 1.7 µs). Peers in the same run: a naive JSON.parse + Buffer.from (no validation) and
 * JSON.stringify for outbound. Prints a table and a JSON line.
 */
import { randomBytes } from 'node:crypto';
import { parseInbound, serializeMedia, serializeMark } from '../src/index';

const SID = 'MZ' + 'a1b2c3d4'.repeat(4);
const audio = randomBytes(160);
const inbound = JSON.stringify({
  event: 'media',
  sequenceNumber: '1234',
  media: { track: 'inbound', chunk: '1233', timestamp: '24660', payload: audio.toString('base64') },
  streamSid: SID,
});
const inboundBuf = Buffer.from(inbound);

let sink = 0;
function measure(name: string, fn: () => void, iterations = 200_000): { name: string; usPerOp: number } {
  for (let i = 0; i < 20_000; i++) fn(); // warm up the JIT
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / iterations);
  }
  return { name, usPerOp: Math.round(best * 1000) / 1000 };
}

const rows = [
  measure('inbound: parseInbound(Buffer) validated + decoded', () => {
    const r = parseInbound(inboundBuf);
    if (r.ok && r.message.event === 'media') sink += r.message.audio.length;
  }),
  measure('inbound: parseInbound(string)', () => {
    const r = parseInbound(inbound);
    if (r.ok && r.message.event === 'media') sink += r.message.audio.length;
  }),
  measure('inbound peer: JSON.parse + Buffer.from, no validation', () => {
    const o = JSON.parse(inboundBuf.toString('utf8'));
    sink += Buffer.from(o.media.payload, 'base64').length;
  }),
  measure('outbound: serializeMedia (template)', () => {
    sink += serializeMedia(SID, audio).length;
  }),
  measure('outbound peer: JSON.stringify media', () => {
    sink += JSON.stringify({ event: 'media', streamSid: SID, media: { payload: Buffer.from(audio).toString('base64') } }).length;
  }),
  measure('outbound: serializeMark', () => {
    sink += serializeMark(SID, 'turn-3:sentence-2').length;
  }),
  measure('outbound peer: JSON.stringify mark', () => {
    sink += JSON.stringify({ event: 'mark', streamSid: SID, mark: { name: 'turn-3:sentence-2' } }).length;
  }),
];

console.log('| case | µs per frame |\n| --- | --- |');
for (const r of rows) console.log(`| ${r.name} | ${r.usPerOp.toFixed(3)} |`);
console.log(JSON.stringify({ bench: '@voice/twilio-protocol', node: process.version, rows, sink: sink > 0 }));
