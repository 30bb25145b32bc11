import { checkBrowserOrigin } from './origin-check';

const cfg = { enabled: true, allowedOrigins: ['https://app.example.com'], tokenTtlMs: 60_000 };
const check = (origin: string | undefined, host: string, publicHost?: string) => checkBrowserOrigin({ origin, host }, cfg, publicHost);

describe('checkBrowserOrigin', () => {
  it('accepts the page origin on a loopback host, any port', () => {
    expect(check('http://localhost:8080', 'localhost:8080')).toEqual({ ok: true });
    expect(check('http://127.0.0.1:3000', '127.0.0.1:3000')).toEqual({ ok: true });
    expect(check('http://[::1]:8080', '[::1]:8080')).toEqual({ ok: true });
  });

  it('accepts the page origin on PUBLIC_HOST, and allowlisted origins on any host', () => {
    expect(check('https://voice.example.com', 'voice.example.com', 'voice.example.com')).toEqual({ ok: true });
    expect(check('https://app.example.com', 'localhost:8080')).toEqual({ ok: true });
  });

  it('refuses a missing, opaque, malformed or foreign origin', () => {
    expect(check(undefined, 'localhost:8080')).toEqual({ ok: false, reason: 'origin-missing' });
    expect(check('null', 'localhost:8080')).toEqual({ ok: false, reason: 'origin-missing' });
    expect(check('not a url', 'localhost:8080')).toEqual({ ok: false, reason: 'origin-malformed' });
    expect(check('file:///tmp/x.html', 'localhost:8080')).toEqual({ ok: false, reason: 'origin-malformed' });
    expect(check('https://evil.example', 'localhost:8080')).toEqual({ ok: false, reason: 'origin-mismatch' });
    expect(check('http://localhost:9999', 'localhost:8080')).toEqual({ ok: false, reason: 'origin-mismatch' });
    // The allowlist is exact: a sub-domain or another scheme is another origin.
    expect(check('https://x.app.example.com', 'localhost:8080')).toEqual({ ok: false, reason: 'origin-mismatch' });
    expect(check('http://app.example.com', 'localhost:8080')).toEqual({ ok: false, reason: 'origin-mismatch' });
  });

  it('refuses a same-origin page on a host that is neither loopback nor PUBLIC_HOST (DNS rebinding)', () => {
    expect(check('http://rebind.attacker.example:8080', 'rebind.attacker.example:8080')).toEqual({ ok: false, reason: 'host-not-allowed' });
    expect(check('http://192.168.1.20:8080', '192.168.1.20:8080', 'voice.example.com')).toEqual({ ok: false, reason: 'host-not-allowed' });
  });
});
