import { createHmac } from 'node:crypto';
import { computeSignature, upgradeUrl, validateUpgradeSignature, validateWebhookSignature, type SignatureCheck } from './signature';
import { forwardedPublicUrl, resolvePublicUrl } from './public-url';

// Known-good vectors: twilio-node spec/validation.spec.js, plus vectors for this gateway's URLs (HMAC-SHA1 as
// https://www.twilio.com/docs/usage/webhooks/webhooks-security describes).
const TOKEN = '12345';
const FORM_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const FORM_PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const JSON_URL = (hash: string) => `https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=${hash}`;
const BODY = '{"property": "value", "boolean": true}';
const BODY_HASH = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
const EMPTY_HASH = '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
const ZEROS = '0'.repeat(32);
const GW_PARAMS = { AccountSid: `AC${ZEROS}`, CallSid: `CA${ZEROS}`, CallStatus: 'ringing', Direction: 'inbound', From: '+15550001111', To: '+15550002222' };

/** The documented algorithm written out independently of the SDK: HMAC-SHA1(url + sorted key+value). */
function hmac(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params).sort().reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

function codeOf(check: SignatureCheck): string {
  return check.ok ? 'ok' : check.error.code;
}

describe('validateWebhookSignature', () => {
  it('accepts the twilio-node form vector, with and without a nonstandard port', () => {
    expect(hmac(TOKEN, FORM_URL, FORM_PARAMS)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(codeOf(validateWebhookSignature({ authToken: TOKEN, signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url: FORM_URL, params: FORM_PARAMS }))).toBe('ok');
    const withPort = 'https://mycompany.com:1234/myapp.php?foo=1&bar=2';
    expect(codeOf(validateWebhookSignature({ authToken: TOKEN, signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url: withPort, params: FORM_PARAMS }))).toBe('ok');
  });

  it('accepts the gateway webhook vector and rejects a tampered param or wrong token', () => {
    const url = 'https://gw.example.com/twilio/voice';
    const sig = 'KOgtEEf9dliBNvVqPyxqj3hR4Nc=';
    expect(hmac(TOKEN, url, GW_PARAMS)).toBe(sig);
    expect(codeOf(validateWebhookSignature({ authToken: TOKEN, signature: sig, url, params: GW_PARAMS }))).toBe('ok');
    expect(codeOf(validateWebhookSignature({ authToken: TOKEN, signature: sig, url, params: { ...GW_PARAMS, To: '+15550009999' } }))).toBe(
      'TWILIO_SIGNATURE_INVALID',
    );
    expect(codeOf(validateWebhookSignature({ authToken: '54321', signature: sig, url, params: GW_PARAMS }))).toBe('TWILIO_SIGNATURE_INVALID');
  });

  it('validates JSON bodies through bodySHA256 and the raw body only', () => {
    const url = JSON_URL(BODY_HASH);
    expect(codeOf(validateWebhookSignature({ authToken: TOKEN, signature: 'a9nBmqA0ju/hNViExpshrM61xv4=', url, rawBody: BODY }))).toBe('ok');
    expect(codeOf(validateWebhookSignature({ authToken: TOKEN, signature: 'Ldidvp12m26NI7eqEvxnEpkd9Hc=', url: JSON_URL(EMPTY_HASH), rawBody: '{}' }))).toBe('ok');
    // the same JSON re-serialised is a different body
    const reshaped = JSON.stringify(JSON.parse(BODY));
    expect(codeOf(validateWebhookSignature({ authToken: TOKEN, signature: 'a9nBmqA0ju/hNViExpshrM61xv4=', url, rawBody: reshaped }))).toBe(
      'TWILIO_BODY_HASH_MISMATCH',
    );
    expect(codeOf(validateWebhookSignature({ authToken: TOKEN, signature: 'a9nBmqA0ju/hNViExpshrM61xv4=', url }))).toBe('TWILIO_BODY_HASH_MISMATCH');
    expect(codeOf(validateWebhookSignature({ authToken: TOKEN, signature: 'Ldidvp12m26NI7eqEvxnEpkd9Hc=', url, rawBody: BODY }))).toBe(
      'TWILIO_SIGNATURE_INVALID',
    );
  });

  it('reports a missing header, an empty token, repeated headers and a bad url with their own codes', () => {
    const base = { authToken: TOKEN, url: FORM_URL, params: FORM_PARAMS };
    expect(codeOf(validateWebhookSignature({ ...base, signature: undefined }))).toBe('TWILIO_SIGNATURE_MISSING');
    expect(codeOf(validateWebhookSignature({ ...base, signature: '' }))).toBe('TWILIO_SIGNATURE_MISSING');
    expect(codeOf(validateWebhookSignature({ ...base, authToken: '', signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' }))).toBe('TWILIO_AUTH_TOKEN_MISSING');
    expect(codeOf(validateWebhookSignature({ ...base, signature: ['RSOYDt4T1cUTdK1PDd93/VVr8B8='] }))).toBe('ok');
    expect(codeOf(validateWebhookSignature({ ...base, signature: ['RSOYDt4T1cUTdK1PDd93/VVr8B8=', 'x'] }))).toBe('TWILIO_SIGNATURE_INVALID');
    expect(codeOf(validateWebhookSignature({ ...base, url: '/twilio/voice', signature: 'x' }))).toBe('TWILIO_BAD_URL');
  });
});

describe('validateUpgradeSignature', () => {
  const WSS_SIG = 'xOtUNom2O6Ixz0xt8ODDv8MkQUY=';
  const HTTPS_SIG = 'l0WzXexllA+2Nr2uoD32CYvxCeo=';

  it('the vectors are what the algorithm gives for the wss and https forms', () => {
    expect(hmac(TOKEN, 'wss://gw.example.com/twilio/media', {})).toBe(WSS_SIG);
    expect(hmac(TOKEN, 'https://gw.example.com/twilio/media', {})).toBe(HTTPS_SIG);
    expect(computeSignature(TOKEN, 'wss://gw.example.com/twilio/media')).toBe(WSS_SIG);
  });

  it('accepts the signature over the public wss URL', () => {
    for (const publicBaseUrl of ['wss://gw.example.com', 'wss://gw.example.com/', 'https://gw.example.com']) {
      expect(codeOf(validateUpgradeSignature({ authToken: TOKEN, signature: WSS_SIG, publicBaseUrl, path: '/twilio/media' }))).toBe('ok');
    }
  });

  it('rejects a signature computed over https:// (the TwiML said wss)', () => {
    expect(codeOf(validateUpgradeSignature({ authToken: TOKEN, signature: HTTPS_SIG, publicBaseUrl: 'wss://gw.example.com', path: '/twilio/media' }))).toBe(
      'TWILIO_SIGNATURE_INVALID',
    );
  });

  it('rejects a missing signature, another path and another host', () => {
    const base = { authToken: TOKEN, publicBaseUrl: 'wss://gw.example.com', path: '/twilio/media' };
    expect(codeOf(validateUpgradeSignature({ ...base, signature: undefined }))).toBe('TWILIO_SIGNATURE_MISSING');
    expect(codeOf(validateUpgradeSignature({ ...base, signature: WSS_SIG, path: '/twilio/media2' }))).toBe('TWILIO_SIGNATURE_INVALID');
    expect(codeOf(validateUpgradeSignature({ ...base, signature: WSS_SIG, publicBaseUrl: 'wss://internal:8080' }))).toBe('TWILIO_SIGNATURE_INVALID');
    expect(codeOf(validateUpgradeSignature({ ...base, signature: WSS_SIG, publicBaseUrl: 'gw.example.com' }))).toBe('TWILIO_BAD_URL');
  });

  it('passes behind a proxy that rewrote Host and proto, because the URL comes from the configured host', () => {
    const headers = { host: 'internal:8080', 'x-forwarded-proto': 'http' };
    const url = resolvePublicUrl({ path: '/twilio/media', publicHost: 'gw.example.com', headers, trustForwardedHeaders: true });
    expect(url).toBe('wss://gw.example.com/twilio/media');
    expect(computeSignature(TOKEN, url)).toBe(WSS_SIG);
  });

  it('can rebuild the URL from forwarded headers when explicitly trusted', () => {
    const url = forwardedPublicUrl({ host: 'internal:8080', 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'gw.example.com, internal' }, '/twilio/media');
    expect(url).toBe('wss://gw.example.com/twilio/media');
    expect(codeOf(validateUpgradeSignature({ authToken: TOKEN, signature: WSS_SIG, publicBaseUrl: url.replace('/twilio/media', ''), path: '/twilio/media' }))).toBe('ok');
  });
});

describe('upgradeUrl', () => {
  it.each([
    ['wss://gw.example.com', '/m', 'wss://gw.example.com/m'],
    ['wss://gw.example.com/', '/m', 'wss://gw.example.com/m'],
    ['wss://gw.example.com/prefix/', '/m', 'wss://gw.example.com/prefix/m'],
    ['https://gw.example.com:8443', '/m', 'wss://gw.example.com:8443/m'],
    ['http://127.0.0.1:4000', '/m', 'ws://127.0.0.1:4000/m'],
  ])('%s + %s → %s', (base, path, url) => expect(upgradeUrl(base, path)).toBe(url));

  it.each([['ftp://gw.example.com'], ['wss://gw.example.com?x=1'], ['gw.example.com']])('rejects base %s', (base) => {
    expect(() => upgradeUrl(base, '/m')).toThrow(/publicBaseUrl/);
  });
});
