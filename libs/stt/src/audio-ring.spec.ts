import { AudioRing } from './audio-ring';

const bytes = (from: number, to: number) => Uint8Array.from({ length: to - from }, (_, i) => (from + i) & 0xff);

describe('AudioRing', () => {
  it('keeps absolute positions across wrap-around and reads any held range', () => {
    const r = new AudioRing(10);
    expect(r.push(bytes(0, 6))).toBe(0);
    r.discardBefore(4);
    expect([r.start, r.end]).toEqual([4, 6]);
    expect(r.push(bytes(6, 13))).toBe(4); // wraps inside the buffer
    expect(Array.from(r.read(4))).toEqual(Array.from(bytes(4, 13)));
    expect(Array.from(r.read(7, 11))).toEqual(Array.from(bytes(7, 11)));
  });

  it('evicts the oldest bytes when full and reports the new start', () => {
    const r = new AudioRing(8);
    r.push(bytes(0, 5));
    expect(r.push(bytes(5, 11))).toBe(3);
    expect(Array.from(r.read(0))).toEqual(Array.from(bytes(3, 11)));
    expect(r.push(bytes(11, 31))).toBe(23); // a push larger than the ring keeps its newest bytes
    expect(Array.from(r.read(0))).toEqual(Array.from(bytes(23, 31)));
    expect(r.end).toBe(31);
  });

  it('clamps reads and discards to what it holds', () => {
    const r = new AudioRing(4);
    r.push(bytes(0, 3));
    expect(r.read(5).length).toBe(0);
    r.discardBefore(100);
    expect([r.start, r.end]).toEqual([3, 3]);
    expect(() => new AudioRing(0)).toThrow(RangeError);
  });
});
