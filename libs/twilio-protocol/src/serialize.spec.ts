import { randomBytes } from 'node:crypto';
import { serializeClear, serializeMark, serializeMedia } from './serialize';
import { TwilioProtocolError } from './errors';

// Verbatim outbound examples, https://www.twilio.com/docs/voice/media-streams/websocket-messages.
const DOC_MARK = `{
 "event": "mark",
 "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
 "mark": {
   "name": "my label"
 }
}`;
const DOC_CLEAR = `{
 "event": "clear",
 "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
}`;
const DOC_MEDIA = `{
  "event": "media",
  "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
  "media": {
    "payload": "a3242sa..."
  }
}`;
const SID = 'MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX';

describe('serializers', () => {
  it('media matches the documented shape, key order included', () => {
    const audio = randomBytes(160);
    const doc = JSON.parse(DOC_MEDIA);
    doc.media.payload = audio.toString('base64');
    const out = serializeMedia(SID, audio);
    expect(JSON.parse(out)).toEqual(doc);
    expect(out).toBe(JSON.stringify(doc));
  });

  it('media encodes only the view it is given', () => {
    const backing = randomBytes(400);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 37, 160);
    expect(JSON.parse(serializeMedia(SID, view)).media.payload).toBe(Buffer.from(view).toString('base64'));
  });

  it('media refuses empty audio with a coded error', () => {
    expect(() => serializeMedia(SID, new Uint8Array(0))).toThrow(TwilioProtocolError);
    try {
      serializeMedia(SID, new Uint8Array(0));
    } catch (e) {
      expect((e as TwilioProtocolError).code).toBe('TWILIO_EMPTY_PAYLOAD');
    }
  });

  it('mark and clear equal the doc examples', () => {
    expect(JSON.parse(serializeMark(SID, 'my label'))).toEqual(JSON.parse(DOC_MARK));
    expect(serializeMark(SID, 'my label')).toBe(JSON.stringify(JSON.parse(DOC_MARK)));
    expect(JSON.parse(serializeClear(SID))).toEqual(JSON.parse(DOC_CLEAR));
    expect(serializeClear(SID)).toBe(JSON.stringify(JSON.parse(DOC_CLEAR)));
  });

  it.each(['say "hi"', 'back\\slash', 'line\nbreak\ttab', '\u0000\u001f', 'émoji 🎧', 'lone \ud800 surrogate', '</script>', ''])(
    'mark name %j survives a JSON round trip',
    (name) => {
      const parsed = JSON.parse(serializeMark(SID, name));
      expect(parsed.mark.name).toBe(name);
      expect(Object.keys(parsed)).toEqual(['event', 'streamSid', 'mark']);
    },
  );

  it('escapes a streamSid that is not a plain SID instead of breaking the frame', () => {
    const odd = 'MZ"},"event":"bogus';
    expect(JSON.parse(serializeClear(odd))).toEqual({ event: 'clear', streamSid: odd });
    expect(JSON.parse(serializeMedia(odd, new Uint8Array([1]))).streamSid).toBe(odd);
    expect(JSON.parse(serializeMark(odd, 'm')).streamSid).toBe(odd);
  });
});
