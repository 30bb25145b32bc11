import { ByteQueue } from './byte-queue';
import { prng } from './recording-sink.spec-helper';

describe('ByteQueue', () => {
  it('is FIFO across wrap-around and growth (random ops against an array model)', () => {
    const rand = prng(7);
    const q = new ByteQueue(16);
    const model: number[] = [];
    let next = 0;
    for (let step = 0; step < 5000; step++) {
      const r = rand();
      if (r < 0.45) {
        const n = Math.floor(rand() * 40);
        const chunk = new Uint8Array(n);
        for (let i = 0; i < n; i++) chunk[i] = next++ & 0xff;
        q.push(chunk);
        model.push(...chunk);
      } else if (r < 0.55) {
        const n = Math.floor(rand() * 10);
        q.fill(0xff, n);
        for (let i = 0; i < n; i++) model.push(0xff);
      } else if (model.length > 0) {
        const n = 1 + Math.floor(rand() * Math.min(model.length, 50));
        const out = new Uint8Array(n);
        q.shiftInto(out);
        expect(Array.from(out)).toEqual(model.splice(0, n));
      }
      expect(q.length).toBe(model.length);
    }
  });

  it('throws when asked for more bytes than queued, leaving the queue intact', () => {
    const q = new ByteQueue(8);
    q.push(Uint8Array.of(1, 2, 3));
    expect(() => q.shiftInto(new Uint8Array(4))).toThrow(RangeError);
    const out = new Uint8Array(3);
    q.shiftInto(out);
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });

  it('clear drops everything and reports the count; the queue works afterwards', () => {
    const q = new ByteQueue(8);
    q.push(new Uint8Array(200_000)); // grows past the shrink threshold
    expect(q.clear()).toBe(200_000);
    expect(q.length).toBe(0);
    q.push(Uint8Array.of(9, 8));
    const out = new Uint8Array(2);
    q.shiftInto(out);
    expect(Array.from(out)).toEqual([9, 8]);
  });
});
