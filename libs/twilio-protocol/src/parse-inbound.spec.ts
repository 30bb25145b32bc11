import { randomBytes } from 'node:crypto';
import { parseInbound, parseCounter, DEFAULT_MAX_INBOUND_BYTES, type ParseInboundResult } from './parse-inbound';
import { TwilioProtocolError } from './errors';
import type { InboundMessage } from './messages';

// Verbatim examples from https://www.twilio.com/docs/voice/media-streams/websocket-messages.
const CONNECTED = `{
 "event": "connected",
 "protocol": "Call",
 "version": "1.0.0"
}`;
const START = `{
  "event": "start",
  "sequenceNumber": "1",
  "start": {
    "accountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "callSid": "CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "tracks": [ "inbound" ],
    "mediaFormat": {
        "encoding": "audio/x-mulaw",
        "sampleRate": 8000,
        "channels": 1 },
    "customParameters": {
     "FirstName": "Jane",
     "LastName": "Doe",
     "RemoteParty": "Bob"
   }
  },
  "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
}`;
const MEDIA_DOC = `{
 "event": "media",
 "sequenceNumber": "4",
 "media": {
   "track": "inbound",
   "chunk": "2",
   "timestamp": "5",
   "payload": "no+JhoaJjpzS..."
 },
"streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
}`;
const DTMF = `{
  "event": "dtmf",
  "streamSid":"MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
  "sequenceNumber":"5",
  "dtmf": {
      "track":"inbound_track",
      "digit": "1"
  }
}`;
const MARK = `{
 "event": "mark",
 "sequenceNumber": "4",
 "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
 "mark": {
   "name": "my label"
 }
}`;
const STOP = `{
 "event": "stop",
 "sequenceNumber": "5",
 "stop": {
    "accountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "callSid": "CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
  },
  "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
}`;
const SID = 'MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX';

function mediaFrame(payload: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ event: 'media', sequenceNumber: '7', media: { track: 'inbound', chunk: '6', timestamp: '120', payload, ...extra }, streamSid: SID });
}

function ok(result: ParseInboundResult): InboundMessage {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code} ${result.error.message}`);
  return result.message;
}

function err(result: ParseInboundResult): TwilioProtocolError {
  if (result.ok) throw new Error(`expected an error, got ${result.message.event}`);
  expect(result.error).toBeInstanceOf(TwilioProtocolError);
  return result.error;
}

describe('parseInbound: the documented messages', () => {
  it('parses connected', () => {
    expect(ok(parseInbound(CONNECTED))).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  });

  it('parses start with its wire strings, parsed seq and custom parameters', () => {
    const m = ok(parseInbound(START));
    if (m.event !== 'start') throw new Error('wrong event');
    expect(m.sequenceNumber).toBe('1');
    expect(m.seq).toBe(1);
    expect(m.streamSid).toBe(SID);
    expect(m.start).toEqual(JSON.parse(START).start);
  });

  it('decodes media audio and parses chunk/timestamp', () => {
    const audio = randomBytes(160);
    const m = ok(parseInbound(mediaFrame(audio.toString('base64'))));
    if (m.event !== 'media') throw new Error('wrong event');
    expect(Buffer.from(m.audio).equals(audio)).toBe(true);
    expect([m.seq, m.chunk, m.timestampMs]).toEqual([7, 6, 120]);
    expect(m.media.payload).toBe(audio.toString('base64'));
    expect(m.media.track).toBe('inbound');
  });

  it('rejects the doc example media payload, which is abbreviated with "..." and so not base64', () => {
    const e = err(parseInbound(MEDIA_DOC));
    expect([e.code, e.field]).toEqual(['TWILIO_BAD_BASE64', 'media.payload']);
  });

  it('parses dtmf, mark and stop', () => {
    expect(ok(parseInbound(DTMF))).toEqual({ event: 'dtmf', sequenceNumber: '5', seq: 5, streamSid: SID, dtmf: { track: 'inbound_track', digit: '1' } });
    expect(ok(parseInbound(MARK))).toEqual({ event: 'mark', sequenceNumber: '4', seq: 4, streamSid: SID, mark: { name: 'my label' } });
    expect(ok(parseInbound(STOP))).toEqual({
      event: 'stop',
      sequenceNumber: '5',
      seq: 5,
      streamSid: SID,
      stop: { accountSid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', callSid: 'CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' },
    });
  });

  it('accepts what ws hands a listener: Buffer, ArrayBuffer and fragment arrays', () => {
    const buf = Buffer.from(MARK);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const parts = [buf.subarray(0, 10), buf.subarray(10)];
    for (const raw of [buf, ab, parts]) expect(ok(parseInbound(raw)).event).toBe('mark');
  });

  it('normalises absent customParameters to {}', () => {
    const o = JSON.parse(START);
    delete o.start.customParameters;
    const m = ok(parseInbound(JSON.stringify(o)));
    expect(m.event === 'start' && m.start.customParameters).toEqual({});
  });
});

describe('parseInbound: hostile and malformed frames (OWASP WebSocket cheat sheet: validate every message)', () => {
  it.each([
    ['{not json', 'TWILIO_MALFORMED_JSON', undefined],
    ['[]', 'TWILIO_MALFORMED_JSON', undefined],
    ['null', 'TWILIO_MALFORMED_JSON', undefined],
    ['"media"', 'TWILIO_MALFORMED_JSON', undefined],
    ['{"event":"bogus"}', 'TWILIO_UNKNOWN_EVENT', 'event'],
    ['{}', 'TWILIO_MISSING_FIELD', 'event'],
    ['{"event":5}', 'TWILIO_BAD_FIELD', 'event'],
    [`{"event":"mark","sequenceNumber":"3","streamSid":"${SID}","mark":{}}`, 'TWILIO_MISSING_FIELD', 'mark.name'],
    [`{"event":"mark","sequenceNumber":"3","streamSid":"${SID}"}`, 'TWILIO_MISSING_FIELD', 'mark'],
    [`{"event":"mark","sequenceNumber":3,"streamSid":"${SID}","mark":{"name":"a"}}`, 'TWILIO_BAD_FIELD', 'sequenceNumber'],
    [`{"event":"mark","sequenceNumber":"3a","streamSid":"${SID}","mark":{"name":"a"}}`, 'TWILIO_BAD_FIELD', 'sequenceNumber'],
    ['{"event":"mark","sequenceNumber":"3","mark":{"name":"a"}}', 'TWILIO_MISSING_FIELD', 'streamSid'],
    [`{"event":"dtmf","sequenceNumber":"3","streamSid":"${SID}","dtmf":{"track":"inbound_track"}}`, 'TWILIO_MISSING_FIELD', 'dtmf.digit'],
    [`{"event":"stop","sequenceNumber":"3","streamSid":"${SID}","stop":{"accountSid":"AC1"}}`, 'TWILIO_MISSING_FIELD', 'stop.callSid'],
    ['{"event":"connected","protocol":"Call"}', 'TWILIO_MISSING_FIELD', 'version'],
  ])('%s → %s', (raw, code, field) => {
    const e = err(parseInbound(raw));
    expect(e.code).toBe(code);
    expect(e.field).toBe(field);
    expect(e.retryable).toBe(false);
  });

  it('reports media field problems with the field path', () => {
    const noPayload = JSON.stringify({ event: 'media', sequenceNumber: '2', streamSid: SID, media: { track: 'inbound', chunk: '1', timestamp: '0' } });
    expect([err(parseInbound(noPayload)).code, err(parseInbound(noPayload)).field]).toEqual(['TWILIO_MISSING_FIELD', 'media.payload']);
    expect(err(parseInbound(mediaFrame(''))).code).toBe('TWILIO_EMPTY_PAYLOAD');
    expect(err(parseInbound(mediaFrame(42))).field).toBe('media.payload');
    const badChunk = mediaFrame('AAAA', { chunk: '-1' });
    expect([err(parseInbound(badChunk)).code, err(parseInbound(badChunk)).field]).toEqual(['TWILIO_BAD_FIELD', 'media.chunk']);
    expect(err(parseInbound(mediaFrame('AAAA', { timestamp: 5 }))).field).toBe('media.timestamp');
  });

  it.each(['AAE', 'AA!A', 'A===', '=AAA', 'AA=A', 'AAAA AAAA', 'AA-_', 'AAA\u00e9'])('rejects non-strict base64 %j that Buffer.from would accept', (payload) => {
    expect(() => Buffer.from(payload, 'base64')).not.toThrow();
    expect(err(parseInbound(mediaFrame(payload))).code).toBe('TWILIO_BAD_BASE64');
  });

  it('rejects a start whose inner streamSid differs, and non-string custom parameters', () => {
    const o = JSON.parse(START);
    o.start.streamSid = 'MZ0000';
    expect(err(parseInbound(JSON.stringify(o))).field).toBe('start.streamSid');
    const p = JSON.parse(START);
    p.start.customParameters.n = 5;
    expect(err(parseInbound(JSON.stringify(p))).field).toBe('start.customParameters.n');
    const t = JSON.parse(START);
    t.start.mediaFormat.sampleRate = '8000';
    expect(err(parseInbound(JSON.stringify(t))).field).toBe('start.mediaFormat.sampleRate');
  });

  it('rejects binary frames', () => {
    expect(err(parseInbound(Buffer.from(MARK), { isBinary: true })).code).toBe('TWILIO_BINARY_FRAME');
  });

  it('rejects oversized frames before parsing them', () => {
    const big = '{' + ' '.repeat(2 * 1024 * 1024); // 2 MB and not even valid JSON: OVERSIZED wins
    expect(err(parseInbound(big)).code).toBe('TWILIO_OVERSIZED');
    expect(err(parseInbound(Buffer.from(big))).code).toBe('TWILIO_OVERSIZED');
    expect(err(parseInbound([Buffer.from(big.slice(0, 40000)), Buffer.from(big.slice(0, 40000))])).code).toBe('TWILIO_OVERSIZED');
    // 30,000 three-byte characters: under the limit in UTF-16 units, over it in UTF-8 bytes.
    const wide = JSON.stringify({ event: 'mark', sequenceNumber: '1', streamSid: SID, mark: { name: '\u20ac'.repeat(30000) } });
    expect(wide.length).toBeLessThan(DEFAULT_MAX_INBOUND_BYTES);
    expect(err(parseInbound(wide)).code).toBe('TWILIO_OVERSIZED');
    expect(ok(parseInbound(wide, { maxBytes: 200_000 })).event).toBe('mark');
    expect(err(parseInbound(MARK, { maxBytes: 20 })).code).toBe('TWILIO_OVERSIZED');
  });

  it('never throws on any truncation or byte corruption of valid frames', () => {
    const frames = [CONNECTED, START, DTMF, MARK, STOP, mediaFrame(randomBytes(160).toString('base64'))];
    let failures = 0;
    for (const frame of frames) {
      for (let i = 0; i < frame.length; i++) {
        const cut = parseInbound(frame.slice(0, i));
        const flipped = parseInbound(frame.slice(0, i) + String.fromCharCode(frame.charCodeAt(i) ^ 0x20) + frame.slice(i + 1));
        for (const r of [cut, flipped]) if (!r.ok) failures++;
      }
    }
    // Every truncation fails; flips in whitespace/case-insensitive spots may still parse. Mostly errors, no throw.
    expect(failures).toBeGreaterThan(frames.reduce((n, f) => n + f.length, 0));
  });
});

describe('parseCounter', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['20', 20],
    ['123456789012345', 123456789012345],
    ['', -1],
    [' 3', -1],
    ['0x10', -1],
    ['1e3', -1],
    ['-1', -1],
    ['3.0', -1],
    ['1234567890123456', -1],
  ])('%j → %d', (s, n) => expect(parseCounter(s)).toBe(n));
});
