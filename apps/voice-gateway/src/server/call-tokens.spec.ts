import { CallTokens } from './call-tokens';

describe('CallTokens', () => {
  let now = 1000;
  const tokens = () => new CallTokens(5000, () => now);
  beforeEach(() => (now = 1000));

  it('accepts a token once, for its call', () => {
    const t = tokens();
    const token = t.issue('CA1');
    expect(token).toMatch(/^[\w-]+\.[\w-]{32}$/);
    expect(t.consume(token, 'CA1')).toBe('ok');
    expect(t.consume(token, 'CA1')).toBe('unknown');
  });

  it('rejects a wrong secret, a wrong call, a missing or expired token', () => {
    const t = tokens();
    const token = t.issue('CA1');
    const [id] = token.split('.');
    expect(t.consume(`${id}.${'A'.repeat(32)}`, 'CA1')).toBe('unknown');
    expect(t.consume(undefined, 'CA1')).toBe('missing');
    expect(t.consume('garbage', 'CA1')).toBe('unknown');
    expect(t.consume(t.issue('CA2'), 'CA3')).toBe('call-mismatch');
    const late = t.issue();
    now += 5001;
    expect(t.consume(late, 'CA9')).toBe('expired');
  });

  it('accepts any call for a token issued without a CallSid, and prunes expired entries', () => {
    const t = tokens();
    expect(t.consume(t.issue(), 'CA7')).toBe('ok');
    t.issue();
    t.issue();
    now += 6000;
    t.issue();
    expect(t.size).toBe(1);
  });
});
