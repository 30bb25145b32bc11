import { buildStreamTwiml, MAX_PARAMETER_CHARS } from './twiml';
import { TwilioProtocolError } from './errors';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TwilioProtocolError);
    return (e as TwilioProtocolError).code;
  }
  return undefined;
}

describe('buildStreamTwiml', () => {
  it('produces the documented <Connect><Stream> with a <Parameter> (TwiML <Stream> docs)', () => {
    expect(buildStreamTwiml({ url: 'wss://example.com/twilio-media', parameters: { token: 'abc123' } })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://example.com/twilio-media"><Parameter name="token" value="abc123"/></Stream></Connect></Response>',
    );
  });

  it('adds name, statusCallback, method and connect action; escapes XML in values', () => {
    const xml = buildStreamTwiml({
      url: 'wss://gw.example.com/twilio/media',
      name: 'agent',
      statusCallback: 'https://gw.example.com/twilio/stream-status',
      statusCallbackMethod: 'POST',
      connectAction: 'https://gw.example.com/twilio/after',
      parameters: { a: '1', b: 'x & "y" <z>' },
    });
    expect(xml).toContain('<Connect action="https://gw.example.com/twilio/after">');
    expect(xml).toContain('<Stream url="wss://gw.example.com/twilio/media" name="agent" statusCallback="https://gw.example.com/twilio/stream-status" statusCallbackMethod="POST">');
    // '>' is legal unescaped inside an attribute value (XML 1.0 §2.3 AttValue); '&', '"' and '<' are not.
    expect(xml).toContain('<Parameter name="a" value="1"/><Parameter name="b" value="x &amp; &quot;y&quot; &lt;z>"/>');
  });

  it.each([
    ['https://gw.example.com/media', 'TWILIO_STREAM_URL_SCHEME'],
    ['ws://gw.example.com/media', 'TWILIO_STREAM_URL_SCHEME'],
    ['/twilio/media', 'TWILIO_STREAM_URL_SCHEME'],
    ['wss://gw.example.com/media ', 'TWILIO_STREAM_URL_SCHEME'],
    [' wss://gw.example.com/media', 'TWILIO_STREAM_URL_SCHEME'],
    ['wss://gw.example.com/media?token=abc', 'TWILIO_STREAM_URL_QUERY'],
    ['wss://gw.example.com/media?', 'TWILIO_STREAM_URL_QUERY'],
    ['wss://gw.example.com/media#x', 'TWILIO_BAD_URL'],
  ])('rejects stream url %j with %s', (url, expected) => {
    expect(code(() => buildStreamTwiml({ url }))).toBe(expected);
  });

  it('enforces the <Parameter> 500-character rule on name + value', () => {
    const url = 'wss://gw.example.com/media';
    const name = 'token';
    const fits = 'v'.repeat(MAX_PARAMETER_CHARS - 1 - name.length);
    expect(buildStreamTwiml({ url, parameters: { [name]: fits } })).toContain(fits);
    expect(code(() => buildStreamTwiml({ url, parameters: { [name]: fits + 'v' } }))).toBe('TWILIO_PARAMETER_TOO_LONG');
    expect(code(() => buildStreamTwiml({ url, parameters: { '': 'x' } }))).toBe('TWILIO_BAD_FIELD');
  });

  it('rejects a relative or non-http statusCallback', () => {
    expect(code(() => buildStreamTwiml({ url: 'wss://a.example/m', statusCallback: '/status' }))).toBe('TWILIO_BAD_URL');
    expect(code(() => buildStreamTwiml({ url: 'wss://a.example/m', statusCallback: 'ftp://a.example/s' }))).toBe('TWILIO_BAD_URL');
  });
});
