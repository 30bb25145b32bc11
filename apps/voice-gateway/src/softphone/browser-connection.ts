import { MULAW_8K, MulawFramer, type Transcoder, createTranscoder } from '@voice/audio-codec';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { CallObserver, TurnLatency } from '../call/call-link';
import type { CallSession } from '../call/call-session';
import { RateLimitedLog } from '../observability/logger';
import type { GatewayMetrics } from '../observability/metrics';
import { BROWSER_FORMAT, BrowserLink } from './browser-link';

export interface BrowserConnectionDeps {
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  /** Names of the providers in use, shown on the page. */
  readonly providers: Readonly<Record<string, string>>;
  readonly createSession: (link: BrowserLink, callId: string, observer: CallObserver, log: Logger) => CallSession;
}

/** Text messages from the page are tiny; anything longer is refused without parsing. */
const MAX_TEXT_BYTES = 1024;
const DTMF = /^[0-9*#A-D]$/;

/** ms values relative to the first stage present, rounded to 0.1 ms, for the page's waterfall. */
function timeline(l: TurnLatency): Record<string, number | undefined> {
  const zero = l.speechEndAt ?? l.sttFinalAt ?? l.llmFirstTokenAt ?? l.ttsFirstAudioAt ?? l.firstFrameAt;
  const rel = (t: number | undefined): number | undefined => (t === undefined ? undefined : Math.round((t - zero) * 10) / 10);
  return {
    speechEnd: rel(l.speechEndAt),
    sttFinal: rel(l.sttFinalAt),
    llmFirstToken: rel(l.llmFirstTokenAt),
    ttsFirstAudio: rel(l.ttsFirstAudioAt),
    firstFrame: rel(l.firstFrameAt),
  };
}

/**
 * One softphone call (`WS /browser`), from the authenticated upgrade to its close: caller PCM16 16 kHz in binary
 * messages → μ-law 8 kHz 20 ms frames into the same CallSession a Twilio stream gets; mark echoes, keypad digits and
 * hang-up as JSON. Transcripts and per-turn latency go back to the page as JSON events.
 */
export class BrowserConnection {
  readonly closed: Promise<void>;
  readonly callId: string;
  private session: CallSession | undefined;
  private readonly link: BrowserLink;
  private readonly down: Transcoder = createTranscoder(BROWSER_FORMAT, MULAW_8K);
  private readonly framer = new MulawFramer();
  private readonly rejects = new RateLimitedLog();
  private readonly log: Logger;

  constructor(
    ws: WebSocket,
    callId: string,
    private readonly d: BrowserConnectionDeps,
  ) {
    this.callId = callId;
    this.log = d.log.child({ callSid: callId, streamSid: callId, transport: 'browser' });
    this.link = new BrowserLink(ws);
    const link = this.link;
    const observer: CallObserver = {
      callerText: (e) => link.sendEvent({ type: 'caller', text: e.text, final: e.final }),
      agentText: (e) => link.sendEvent({ type: 'agent', turnId: e.turnId, text: e.text, mark: e.mark }),
      latency: (e) => link.sendEvent({ type: 'latency', turnId: e.turnId, ms: timeline(e) }),
      turnEnded: (e) => link.sendEvent({ type: 'turn-end', turnId: e.turnId, outcome: e.outcome, heard: e.heard }),
    };
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (e) => this.log.warn({ err: e.message }, 'softphone socket error'));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.log.info({ code, reason: reason.toString() }, 'softphone call closed');
        const s = this.session;
        this.session = undefined;
        if (s) void s.dispose(code === 1000 || code === 1005 || code === 1001 ? 'hangup' : `closed-${code}`).finally(resolve);
        else resolve();
      });
    });
    this.log.info('softphone call started');
    link.sendEvent({ type: 'ready', callId, sampleRate: BROWSER_FORMAT.sampleRate, providers: d.providers });
    this.session = d.createSession(link, callId, observer, this.log);
    this.session.start();
  }

  get active(): boolean {
    return this.session !== undefined;
  }

  queuedMs(): number {
    return this.session?.queuedMs() ?? 0;
  }

  close(code = 1001, reason = 'gateway shutting down'): void {
    this.link.close(code, reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const session = this.session;
    if (session === undefined) return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) {
      // Any length: an odd byte waits in the transcoder, a partial frame in the framer.
      for (const frame of this.framer.push(this.down.process(bytes))) session.onMedia(frame);
      return;
    }
    if (bytes.length > MAX_TEXT_BYTES) return this.reject('BROWSER_TEXT_TOO_LONG');
    let m: { type?: unknown; name?: unknown; digit?: unknown };
    try {
      m = JSON.parse(bytes.toString('utf8')) as typeof m;
    } catch {
      return this.reject('BROWSER_BAD_JSON');
    }
    if (m === null || typeof m !== 'object') return this.reject('BROWSER_BAD_JSON');
    if (m.type === 'mark' && typeof m.name === 'string') session.onMark(m.name);
    else if (m.type === 'dtmf' && typeof m.digit === 'string' && DTMF.test(m.digit)) session.onDtmf(m.digit);
    else if (m.type === 'hangup') {
      session.onStop();
      this.link.close(1000, 'caller hung up');
    } else this.reject('BROWSER_UNKNOWN_MESSAGE');
  }

  private reject(code: string): void {
    this.d.metrics.framesRejected.inc({ code });
    const { log, count } = this.rejects.shouldLog(code);
    if (log) this.log.warn({ code, count }, 'ignored a softphone message');
  }
}
