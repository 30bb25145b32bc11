import { AudioCodecError } from './errors';
import { bytesToInt16, concatBytes, int16ToBytes } from './pcm';

describe('bytesToInt16', () => {
  it('reads little-endian signed samples', () => {
    const bytes = Uint8Array.from([0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f]);
    expect(Array.from(bytesToInt16(bytes))).toEqual([1, -1, -32768, 32767]);
  });

  it('is a zero-copy view on an even byte offset', () => {
    const backing = new Uint8Array(10);
    const bytes = backing.subarray(2, 6);
    const pcm = bytesToInt16(bytes);
    expect(pcm.buffer).toBe(backing.buffer);
    expect(pcm.byteOffset).toBe(2);
    backing[2] = 7;
    expect(pcm[0]).toBe(7);
  });

  it('copies from an odd byte offset, where a view would throw', () => {
    const backing = Uint8Array.from([9, 0x34, 0x12, 0xfe, 0xff]);
    const bytes = backing.subarray(1);
    expect(bytes.byteOffset).toBe(1);
    const pcm = bytesToInt16(bytes);
    expect(Array.from(pcm)).toEqual([0x1234, -2]);
    expect(pcm.buffer).not.toBe(backing.buffer);
  });

  it('works on a Node Buffer slice at an odd offset', () => {
    const buf = Buffer.alloc(9);
    buf.writeInt16LE(-300, 1);
    buf.writeInt16LE(300, 3);
    expect(Array.from(bytesToInt16(buf.subarray(1, 5)))).toEqual([-300, 300]);
  });

  it('throws AUDIO_BAD_LENGTH on an odd byte length', () => {
    expect(() => bytesToInt16(new Uint8Array(3))).toThrow(AudioCodecError);
    expect(() => bytesToInt16(new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'AUDIO_BAD_LENGTH' }) as Error);
  });
});

describe('int16ToBytes', () => {
  it('views the same memory, little-endian', () => {
    const backing = Int16Array.from([0, 0x1234, -2]);
    const pcm = backing.subarray(1);
    const bytes = int16ToBytes(pcm);
    expect(bytes.buffer).toBe(backing.buffer);
    expect(Array.from(bytes)).toEqual([0x34, 0x12, 0xfe, 0xff]);
    expect(Array.from(bytesToInt16(bytes))).toEqual([0x1234, -2]);
  });
});

describe('concatBytes', () => {
  it('joins parts in order into a new array', () => {
    const a = Uint8Array.from([1, 2]);
    const joined = concatBytes([a, new Uint8Array(0), Uint8Array.from([3])]);
    expect(Array.from(joined)).toEqual([1, 2, 3]);
    expect(joined.buffer).not.toBe(a.buffer);
    expect(concatBytes([]).length).toBe(0);
  });
});
