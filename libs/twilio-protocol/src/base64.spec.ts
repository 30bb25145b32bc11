import { randomBytes } from 'node:crypto';
import { decodeBase64Strict, encodeBase64, isStrictBase64 } from './base64';

describe('strict base64', () => {
  it('round-trips every length 1..64 against Node base64', () => {
    for (let n = 1; n <= 64; n++) {
      const bytes = randomBytes(n);
      const text = bytes.toString('base64');
      expect(encodeBase64(bytes)).toBe(text);
      expect(isStrictBase64(text)).toBe(true);
      expect(Buffer.from(decodeBase64Strict(text) as Uint8Array).equals(bytes)).toBe(true);
    }
  });

  it('encodes only the bytes a view covers, not its whole backing buffer', () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const view = backing.subarray(3, 6);
    expect(encodeBase64(view)).toBe(Buffer.from([4, 5, 6]).toString('base64'));
  });

  it.each(['', 'A', 'AA', 'AAA', 'AAAAA', 'AA==AA==', '====', 'AB=C', 'AB.C', 'AB_C', 'AB-C', 'AB\nC', 'AAAA\u0100AAA'])('rejects %j', (s) => {
    expect(isStrictBase64(s)).toBe(false);
    expect(decodeBase64Strict(s)).toBeNull();
  });

  it('accepts 160 bytes of μ-law silence as the 216-char frame Twilio sends', () => {
    const silence = '/'.repeat(212) + '/w==';
    expect(silence).toHaveLength(216);
    expect(Array.from(decodeBase64Strict(silence) as Uint8Array)).toEqual(new Array(160).fill(0xff));
  });
});
