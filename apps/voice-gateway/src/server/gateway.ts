import { randomBytes } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES, type Server, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Clock, Pacer, realClock } from '@voice/pacer';
import { type Vad, createVad } from '@voice/stt';
import { type StartMessage, validateUpgradeSignature } from '@voice/twilio-protocol';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { CallLink, CallObserver } from '../call/call-link';
import { CallSession } from '../call/call-session';
import { TwilioLink } from '../call/twilio-link';
import { type GatewayConfig, twilioProblem } from '../config/config';
import { RateLimitedLog, createLogger } from '../observability/logger';
import { GatewayMetrics } from '../observability/metrics';
import { buildProviders, type Providers } from '../providers/build-providers';
import { BrowserConnection } from '../softphone/browser-connection';
import { checkBrowserOrigin } from '../softphone/origin-check';
import { CallTokens } from './call-tokens';
import { MediaConnection } from './media-connection';
import { createOutboundCaller } from './outbound-call';
import { BROWSER_PATH, MEDIA_PATH, createApp, type GatewayState } from './routes';

export interface GatewayDeps {
  readonly logger?: Logger;
  /** Time for the pacer and call timers (default: performance.now + setTimeout). */
  readonly clock?: Clock;
  /** Extra CA for TLS provider sockets (the Cartesia fake's test certificate, a private CA). */
  readonly tls?: { readonly ca?: string | Buffer };
  /** Local VAD per call; `null` turns it off. Default fvad at 8 kHz, mode 3. */
  readonly createVad?: (() => Promise<Vad>) | null;
  /** Process metrics (CPU, heap, event loop) in /metrics. Default true. */
  readonly defaultMetrics?: boolean;
}

export interface Gateway {
  readonly server: Server;
  readonly metrics: GatewayMetrics;
  readonly providers: Providers;
  /** Listens on `port` (default: the configured one; 0 picks a free port) on `host` (default: the configured one) and resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Stops accepting calls and waits for active ones up to `timeoutMs`, then ends the rest. */
  drain(timeoutMs?: number): Promise<void>;
  /** Ends every call, closes provider sockets, the pacer and the server. Idempotent. */
  close(): Promise<void>;
  activeCalls(): number;
}

/** Twilio media frames are ≈0.4 KB; 64 KiB is ample (openai-agents-python#5110). Larger → 1009, that socket only. */
export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * The composition root's product: Express routes, the /ws upgrade with signature checks, one shared Pacer, the
 * providers, and a CallSession per authenticated stream. Tests run it in-process on port 0 with the providers
 * pointed at fakes through the `*_BASE_URL` configuration.
 */
export function createGateway(config: GatewayConfig, deps: GatewayDeps = {}): Gateway {
  const log = deps.logger ?? createLogger(config.logLevel);
  const clock = deps.clock ?? realClock;
  const connections = new Set<MediaConnection | BrowserConnection>();
  const state: GatewayState = { draining: false, closed: false };
  const metrics = new GatewayMetrics(() => ({ queuedMs: [...connections].map((c) => c.queuedMs()) }), { defaultMetrics: deps.defaultMetrics });
  const pacer = new Pacer({
    clock,
    jitterBufferMs: config.turn.jitterBufferMs,
    jitterBufferMinMs: config.turn.jitterBufferMinMs,
    metrics: {
      underrun: () => metrics.pacerUnderruns.inc(),
      sinkError: (e) => log.warn({ stream: e.streamId }, 'pacer: socket send failed; stream closed'),
    },
  });
  const providers = buildProviders(config, { logger: log, metrics, tls: deps.tls });
  const tokens = new CallTokens(config.callTokenTtlMs);
  const browserTokens = new CallTokens(config.softphone.tokenTtlMs);
  const twilioUnavailable = twilioProblem(config);
  const refusals = new RateLimitedLog(3, 100);
  const vadFactory = deps.createVad === null ? undefined : (deps.createVad ?? (() => createVad({ sampleRate: 8000 })));
  const { accountSid, authToken, apiBaseUrl } = config.twilio;
  const outbound = accountSid && authToken ? createOutboundCaller({ accountSid, authToken, apiBaseUrl }) : undefined;
  const activeCalls = (): number => [...connections].filter((c) => c.active).length;
  const app = createApp({ config, tokens, browserTokens, metrics, log, state, activeCalls, outbound });
  const server = createServer(app);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  // A scripted dialog replays every user turn of the call, so its history must keep them all (libs/llm README).
  const history = config.llm.provider === 'scripted' ? { maxTurns: 500, maxTokens: 1_000_000 } : undefined;
  const newSession = (link: CallLink, streamSid: string, callSid: string, callLog: Logger, observer?: CallObserver): CallSession =>
    new CallSession(link, streamSid, callSid, {
      providers,
      pacer,
      clock,
      metrics,
      log: callLog,
      turn: config.turn,
      systemPrompt: config.persona.systemPrompt,
      createVad: vadFactory,
      history,
      observer,
    });
  const connectionDeps = {
    tokens,
    startTimeoutMs: config.startTimeoutMs,
    clock,
    log,
    metrics,
    createSession: (ws: WebSocket, start: StartMessage, callLog: Logger) =>
      newSession(new TwilioLink(ws, start.start.streamSid), start.start.streamSid, start.start.callSid, callLog),
  };
  const browserDeps = {
    log,
    metrics,
    providers: providers.names,
    createSession: (link: CallLink, callId: string, observer: CallObserver, callLog: Logger) => newSession(link, callId, callId, callLog, observer),
  };

  const track = (conn: MediaConnection | BrowserConnection): void => {
    connections.add(conn);
    void conn.closed.then(() => connections.delete(conn));
  };

  /**
   * `WS /browser?token=`: Origin, then the single-use token, both before the upgrade (OWASP: authenticate the
   * handshake). Returns the refusal (HTTP status and metric reason), or undefined to accept.
   */
  function refuseBrowser(req: IncomingMessage): [number, string] | undefined {
    if (!config.softphone.enabled) return [404, 'softphone-disabled'];
    if (state.draining) return [503, 'draining'];
    const origin = checkBrowserOrigin(req.headers, config.softphone, config.publicHost);
    if (!origin.ok) {
      log.warn({ reason: origin.reason, origin: req.headers.origin, host: req.headers.host }, 'softphone upgrade refused: origin not allowed (see SOFTPHONE_ALLOWED_ORIGINS)');
      return [403, `softphone-${origin.reason}`];
    }
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
    const check = browserTokens.consume(token, '');
    if (check !== 'ok') {
      log.warn({ check }, 'softphone upgrade refused: invalid token');
      return [403, `softphone-token-${check}`];
    }
    return undefined;
  }

  server.on('upgrade', (req, socket: Socket, head) => {
    socket.on('error', () => undefined);
    const refuse = (status: number, reason: string): void => {
      metrics.upgradesRejected.inc({ reason });
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (state.closed) return refuse(503, 'closed');
    if (path === BROWSER_PATH) {
      const refusal = refuseBrowser(req);
      if (refusal) return refuse(...refusal);
      wss.handleUpgrade(req, socket, head, (ws) => track(new BrowserConnection(ws, `BR${randomBytes(16).toString('hex')}`, browserDeps)));
      return;
    }
    if (path !== MEDIA_PATH) return refuse(404, 'path');
    if (twilioUnavailable !== undefined) {
      if (refusals.shouldLog('ws').log) log.error({ remote: req.socket.remoteAddress }, `twilio media stream refused: ${twilioUnavailable}`);
      return refuse(503, 'twilio-not-configured');
    }
    if (config.twilio.validateSignatures) {
      // Twilio signs the wss:// URL exactly as written in the TwiML, with empty params
      // (https://github.com/twilio-labs/twilio-aspnet/issues/162).
      const check = validateUpgradeSignature({
        authToken: authToken ?? '',
        signature: req.headers['x-twilio-signature'],
        publicBaseUrl: `wss://${config.publicHost}`,
        path: req.url ?? '/',
      });
      if (!check.ok) {
        log.warn({ code: check.error.code, remote: req.socket.remoteAddress }, 'media stream upgrade rejected');
        return refuse(403, check.error.code);
      }
    }
    // Upgrades are accepted while draining: they belong to calls whose webhook was answered before.
    wss.handleUpgrade(req, socket, head, (ws) => track(new MediaConnection(ws, connectionDeps)));
  });

  async function waitForCalls(timeoutMs: number): Promise<void> {
    const deadline = clock.now() + timeoutMs;
    while (connections.size > 0) {
      const left = deadline - clock.now();
      if (left <= 0) return;
      let timer: unknown;
      await Promise.race([
        Promise.all([...connections].map((c) => c.closed)),
        new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, left))),
      ]);
      clock.clearTimeout(timer);
    }
  }

  async function endAll(reason: string): Promise<void> {
    const open = [...connections];
    for (const c of open) c.close(1001, reason);
    let timer: unknown;
    await Promise.race([Promise.all(open.map((c) => c.closed)), new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, 5000)))]);
    clock.clearTimeout(timer);
  }

  let closing: Promise<void> | undefined;
  return {
    server,
    metrics,
    providers,
    activeCalls,
    listen(port = config.port, host = config.host) {
      return new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async drain(timeoutMs = config.drainTimeoutMs) {
      state.draining = true;
      log.info({ activeCalls: activeCalls(), timeoutMs }, 'draining: new calls refused, active calls continue');
      await waitForCalls(timeoutMs);
      if (connections.size > 0) {
        log.warn({ activeCalls: activeCalls() }, 'drain timeout: ending the remaining calls');
        await endAll('drain timeout');
      }
    },
    close() {
      closing ??= (async () => {
        state.draining = true;
        state.closed = true;
        await endAll('gateway shutting down');
        pacer.close();
        await providers.close().catch((e: unknown) => log.warn({ err: String(e) }, 'closing providers failed'));
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        log.info('gateway closed');
      })();
      return closing;
    },
  };
}
