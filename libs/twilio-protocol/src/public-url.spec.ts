import { firstValue, forwardedPublicUrl, publicUrl, resolvePublicUrl } from './public-url';
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

describe('publicUrl', () => {
  it('joins scheme, configured host and path byte-exactly', () => {
    expect(publicUrl('gw.example.com', '/twilio/media')).toBe('wss://gw.example.com/twilio/media');
    expect(publicUrl('gw.example.com:8443', '/twilio/voice?x=1', 'https')).toBe('https://gw.example.com:8443/twilio/voice?x=1');
    expect(publicUrl('[::1]:9000', '/m', 'ws')).toBe('ws://[::1]:9000/m');
  });

  it.each([['https://gw.example.com'], ['gw.example.com/x'], ['user@gw.example.com'], ['gw example.com'], ['']])('rejects host %j', (host) => {
    expect(code(() => publicUrl(host, '/m'))).toBe('TWILIO_BAD_URL');
  });

  it('rejects a path without leading slash or with a fragment', () => {
    expect(code(() => publicUrl('gw.example.com', 'm'))).toBe('TWILIO_BAD_URL');
    expect(code(() => publicUrl('gw.example.com', '/m#x'))).toBe('TWILIO_BAD_URL');
  });
});

describe('forwarded headers', () => {
  it('takes the first element of comma lists and maps https→wss, http→ws', () => {
    expect(forwardedPublicUrl({ 'x-forwarded-proto': 'https,http', 'x-forwarded-host': ' gw.example.com , proxy' }, '/m')).toBe('wss://gw.example.com/m');
    expect(forwardedPublicUrl({ 'x-forwarded-proto': 'http', 'x-forwarded-host': 'gw.example.com' }, '/m')).toBe('ws://gw.example.com/m');
    expect(forwardedPublicUrl({ 'x-forwarded-host': 'gw.example.com' }, '/m')).toBe('wss://gw.example.com/m');
    expect(forwardedPublicUrl({ 'x-forwarded-proto': 'HTTPS', host: 'gw.example.com' }, '/voice', false)).toBe('https://gw.example.com/voice');
  });

  it('refuses unknown protos, smuggled hosts and missing hosts', () => {
    expect(code(() => forwardedPublicUrl({ 'x-forwarded-proto': 'gopher', host: 'a.example' }, '/m'))).toBe('TWILIO_BAD_URL');
    expect(code(() => forwardedPublicUrl({ 'x-forwarded-host': 'evil.example/x?' }, '/m'))).toBe('TWILIO_BAD_URL');
    expect(code(() => forwardedPublicUrl({}, '/m'))).toBe('TWILIO_NO_PUBLIC_HOST');
  });

  it('firstValue handles arrays, lists and blanks', () => {
    expect(firstValue(['a, b', 'c'])).toBe('a');
    expect(firstValue(' , b')).toBeUndefined();
    expect(firstValue(undefined)).toBeUndefined();
  });
});

describe('resolvePublicUrl', () => {
  const headers = { host: 'internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'proxy.example' };

  it('prefers the configured host over any header', () => {
    expect(resolvePublicUrl({ path: '/m', publicHost: 'gw.example.com', headers, trustForwardedHeaders: true })).toBe('wss://gw.example.com/m');
  });

  it('uses forwarded headers only when explicitly trusted, never the bare Host', () => {
    expect(resolvePublicUrl({ path: '/m', headers, trustForwardedHeaders: true })).toBe('wss://proxy.example/m');
    expect(resolvePublicUrl({ path: '/voice', headers, trustForwardedHeaders: true, scheme: 'https' })).toBe('https://proxy.example/voice');
    expect(code(() => resolvePublicUrl({ path: '/m', headers }))).toBe('TWILIO_NO_PUBLIC_HOST');
  });
});
