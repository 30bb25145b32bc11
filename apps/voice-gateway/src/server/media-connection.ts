import type { Clock } from '@voice/pacer';
import { type InboundMessage, type StartMessage, parseInbound } from '@voice/twilio-protocol';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { CallSession } from '../call/call-session';
import { RateLimitedLog } from '../observability/logger';
import type { GatewayMetrics } from '../observability/metrics';
import type { CallTokens } from './call-tokens';

export interface MediaConnectionDeps {
  readonly tokens: CallTokens;
  readonly startTimeoutMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  /** Builds the call once `start` carried a valid token; no provider socket opens before that. */
  readonly createSession: (ws: WebSocket, start: StartMessage, log: Logger) => CallSession;
}

/** Close codes (RFC 6455 §7.4.1): 1008 policy violation (no start, bad token), 1011 internal error. */
const POLICY = 1008;

/**
 * One Twilio media WebSocket, from the upgrade to its close: waits for `start` (at most `startTimeoutMs`), checks
 * the per-call token, then hands frames to the CallSession. Malformed or unexpected frames are logged with their
 * code (rate-limited) and ignored: the call goes on, as Twilio itself does with 31950/31951.
 */
export class MediaConnection {
  readonly closed: Promise<void>;
  private session: CallSession | undefined;
  private streamSid: string | undefined;
  private log: Logger;
  private startTimer: unknown;
  private readonly rejects = new RateLimitedLog();

  constructor(
    private readonly ws: WebSocket,
    private readonly d: MediaConnectionDeps,
  ) {
    this.log = d.log;
    this.startTimer = d.clock.setTimeout(() => {
      this.startTimer = undefined;
      d.metrics.upgradesRejected.inc({ reason: 'start-timeout' });
      this.log.warn({ timeoutMs: d.startTimeoutMs }, 'no start message in time; closing the stream');
      ws.close(POLICY, 'no start');
    }, d.startTimeoutMs);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (e) => this.log.warn({ err: e.message, code: (e as { code?: string }).code }, 'media socket error'));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.clearStartTimer();
        this.log.info({ code, reason: reason.toString() }, 'media stream closed');
        const s = this.session;
        this.session = undefined;
        if (s) void s.dispose(code === 1000 || code === 1005 ? 'hangup' : `closed-${code}`).finally(resolve);
        else resolve();
      });
    });
  }

  get active(): boolean {
    return this.session !== undefined;
  }

  /** Outbound audio the pacer holds for this call (0 before start). */
  queuedMs(): number {
    return this.session?.queuedMs() ?? 0;
  }

  /** Ends the stream from our side (drain timeout, shutdown): Twilio then runs the next TwiML verb or hangs up. */
  close(code = 1001, reason = 'gateway shutting down'): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const r = parseInbound(data as Buffer | ArrayBuffer | Buffer[], { isBinary });
    if (!r.ok) {
      this.reject(r.error.code, r.error.field);
      return;
    }
    const m = r.message;
    if (m.event === 'connected') return;
    if (m.event === 'start') {
      this.onStart(m);
      return;
    }
    const session = this.session;
    if (session === undefined) {
      this.reject(`${m.event.toUpperCase()}_BEFORE_START`);
      return;
    }
    if (m.streamSid !== this.streamSid) {
      this.reject('WRONG_STREAM_SID');
      return;
    }
    this.dispatch(session, m);
  }

  private dispatch(session: CallSession, m: InboundMessage): void {
    switch (m.event) {
      case 'media':
        if (m.media.track === 'inbound' || m.media.track === undefined) session.onMedia(m.audio);
        return;
      case 'mark':
        session.onMark(m.mark.name);
        return;
      case 'dtmf':
        session.onDtmf(m.dtmf.digit);
        return;
      case 'stop':
        session.onStop();
        return;
      default:
        return;
    }
  }

  private onStart(m: StartMessage): void {
    if (this.session !== undefined || this.streamSid !== undefined) {
      this.reject('DUPLICATE_START');
      return;
    }
    const { callSid, streamSid, customParameters } = m.start;
    this.streamSid = streamSid;
    this.log = this.d.log.child({ callSid, streamSid });
    this.clearStartTimer();
    const check = this.d.tokens.consume(customParameters['token'], callSid);
    if (check !== 'ok') {
      // Before any provider socket opens: an unauthenticated stream must not reach STT/LLM/TTS on our keys.
      this.d.metrics.upgradesRejected.inc({ reason: `token-${check}` });
      this.log.warn({ check }, 'invalid call token; closing the stream');
      this.ws.close(POLICY, 'invalid call token');
      return;
    }
    this.log.info({ tracks: m.start.tracks, encoding: m.start.mediaFormat.encoding }, 'media stream started');
    const session = this.d.createSession(this.ws, m, this.log);
    this.session = session;
    session.start();
  }

  private reject(code: string, field?: string): void {
    this.d.metrics.framesRejected.inc({ code });
    const { log, count } = this.rejects.shouldLog(code);
    if (log) this.log.warn({ code, field, count }, 'ignored a Twilio frame');
  }

  private clearStartTimer(): void {
    if (this.startTimer === undefined) return;
    this.d.clock.clearTimeout(this.startTimer);
    this.startTimer = undefined;
  }
}
