import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenCheck = 'ok' | 'missing' | 'unknown' | 'expired' | 'call-mismatch';

interface Issued {
  readonly digest: Buffer;
  readonly expiresAt: number;
  readonly callSid: string | undefined;
}

/**
 * Per-call tokens for `<Parameter name="token">` (https://www.twilio.com/docs/voice/twiml/stream): issued by the
 * webhook, checked on the stream's `start`, single use, with a TTL. A token is `<id>.<secret>`: the id finds the
 * entry (not secret), the secret is compared in constant time through SHA-256 digests of equal length, so lookup time
 * does not leak it.
 */
export class CallTokens {
  private readonly issued = new Map<string, Issued>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new token, bound to the webhook's CallSid when it had one. */
  issue(callSid?: string): string {
    this.prune();
    const id = randomBytes(9).toString('base64url');
    const secret = randomBytes(24).toString('base64url');
    this.issued.set(id, { digest: digest(secret), expiresAt: this.now() + this.ttlMs, callSid });
    return `${id}.${secret}`;
  }

  /** Checks and consumes `token` (a second use is `unknown`). */
  consume(token: string | undefined, callSid: string): TokenCheck {
    if (!token) return 'missing';
    const dot = token.indexOf('.');
    const id = dot > 0 ? token.slice(0, dot) : '';
    const entry = this.issued.get(id);
    if (entry === undefined) return 'unknown';
    const ok = timingSafeEqual(entry.digest, digest(token.slice(dot + 1)));
    if (!ok) return 'unknown';
    this.issued.delete(id);
    if (entry.expiresAt < this.now()) return 'expired';
    if (entry.callSid !== undefined && entry.callSid !== callSid) return 'call-mismatch';
    return 'ok';
  }

  get size(): number {
    return this.issued.size;
  }

  /** Entries expire in issue order (one TTL), so the stale ones are at the front of the Map. */
  private prune(): void {
    const now = this.now();
    for (const [id, e] of this.issued) {
      if (e.expiresAt >= now) break;
      this.issued.delete(id);
    }
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
