import { serializeClear, serializeMark, serializeMedia } from '@voice/twilio-protocol';
import { checkGatewayFrame, type GatewayFrameCheck } from './gateway-frame';

const SID = 'MZ' + '0123456789abcdef'.repeat(2);
const codeOf = (c: GatewayFrameCheck): string => (c.ok ? 'ok' : c.violation.code);

describe('checkGatewayFrame (Twilio errors 31950/31951/31924)', () => {
  it('accepts what @voice/twilio-protocol serialises', () => {
    const audio = Uint8Array.from([1, 2, 3, 250]);
    const media = checkGatewayFrame(serializeMedia(SID, audio), false, SID);
    expect(media.ok && media.frame.event === 'media' && Array.from(media.frame.audio)).toEqual([1, 2, 3, 250]);
    expect(checkGatewayFrame(serializeMark(SID, 'a "b"'), false, SID)).toEqual({ ok: true, frame: { event: 'mark', streamSid: SID, name: 'a "b"' } });
    expect(checkGatewayFrame(serializeClear(SID), false, SID)).toEqual({ ok: true, frame: { event: 'clear', streamSid: SID } });
  });

  const media = (payload: unknown, extra: object = {}) => JSON.stringify({ event: 'media', streamSid: SID, media: { payload, ...extra } });
  const riff = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40)]).toString('base64');
  const snd = Buffer.concat([Buffer.from('.snd'), Buffer.alloc(20)]).toString('base64');

  it.each([
    ['binary', '{"event":"clear"}', true, SID, 'binary-frame', 31950],
    ['not json', '{not json', false, SID, 'malformed-json', 31951],
    ['array', '[]', false, SID, 'malformed-json', 31951],
    ['unknown event', `{"event":"bogus","streamSid":"${SID}"}`, false, SID, 'unsupported-event', 31951],
    ['inbound-only event', `{"event":"start","streamSid":"${SID}"}`, false, SID, 'unsupported-event', 31951],
    ['before start', `{"event":"clear","streamSid":"${SID}"}`, false, undefined, 'before-start', 31951],
    ['stream_sid typo', `{"event":"clear","stream_sid":"${SID}"}`, false, SID, 'extra-field', 31951],
    ['no streamSid', '{"event":"clear"}', false, SID, 'missing-field', 31951],
    ['wrong streamSid', '{"event":"clear","streamSid":"MZother"}', false, SID, 'wrong-stream-sid', 31951],
    ['track field', media('AAAA', { track: 'outbound' }), false, SID, 'extra-field', 31951],
    ['playload typo', JSON.stringify({ event: 'media', streamSid: SID, media: { playload: 'AAAA' } }), false, SID, 'extra-field', 31951],
    ['no payload', JSON.stringify({ event: 'media', streamSid: SID, media: {} }), false, SID, 'missing-field', 31951],
    ['empty payload', media(''), false, SID, 'bad-payload', 31951],
    ['bad base64', media('ab!d'), false, SID, 'bad-payload', 31951],
    ['unpadded base64', media('AAE'), false, SID, 'bad-payload', 31951],
    ['RIFF header', media(riff), false, SID, 'header-in-payload', 31951],
    ['.snd header', media(snd), false, SID, 'header-in-payload', 31951],
    ['mark without name', JSON.stringify({ event: 'mark', streamSid: SID, mark: {} }), false, SID, 'missing-field', 31951],
    ['mark with extra', JSON.stringify({ event: 'mark', streamSid: SID, mark: { name: 'a', at: 1 } }), false, SID, 'extra-field', 31951],
  ])('%s → %s', (_label, text, binary, sid, code, twilioCode) => {
    const check = checkGatewayFrame(text, binary, sid);
    expect(codeOf(check)).toBe(code);
    expect(!check.ok && check.violation.twilioCode).toBe(twilioCode);
  });
});
