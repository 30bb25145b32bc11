import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths that may hold secrets if a request or option object is ever logged whole. Provider keys never reach a
 * log call in this app; redaction is the second line of defence (https://getpino.io/#/docs/redaction).
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'headers.authorization',
  'headers["x-twilio-signature"]',
  '*.apiKey',
  '*.authToken',
  '*.token',
  'customParameters.token',
];

/** JSON lines with ISO times; each call's lines come from `callLogger` children carrying callSid/streamSid. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { svc: 'voice-gateway' }, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACT, censor: '[redacted]' } },
    destination,
  );
}

/**
 * Logs a repeated incident (a malformed frame, an unknown mark) the first `burst` times per key, then every
 * `every`-th time with the running count, so a hostile or broken peer cannot flood the log (OWASP WebSocket cheat
 * sheet: log at message level, rate-limited).
 */
export class RateLimitedLog {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly burst = 5,
    private readonly every = 100,
  ) {}

  shouldLog(key: string): { log: boolean; count: number } {
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return { log: count <= this.burst || count % this.every === 0, count };
  }
}
