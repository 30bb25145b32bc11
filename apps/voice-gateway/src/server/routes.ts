import { createHash, timingSafeEqual } from 'node:crypto';
import { buildStreamTwiml, validateWebhookSignature } from '@voice/twilio-protocol';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { type GatewayConfig, twilioProblem } from '../config/config';
import { RateLimitedLog } from '../observability/logger';
import type { GatewayMetrics } from '../observability/metrics';
import { softphoneRouter } from '../softphone/softphone-routes';
import type { CallTokens } from './call-tokens';
import type { OutboundCaller } from './outbound-call';

export interface GatewayState {
  draining: boolean;
  closed: boolean;
}

export interface RoutesContext {
  readonly config: GatewayConfig;
  readonly tokens: CallTokens;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly state: GatewayState;
  readonly activeCalls: () => number;
  readonly outbound: OutboundCaller | undefined;
  /** Single-use tokens for `WS /browser` (the softphone). */
  readonly browserTokens: CallTokens;
}

/** Path of the media WebSocket inside the TwiML (`<Stream url="wss://<PUBLIC_HOST>/ws">`). */
export const MEDIA_PATH = '/ws';
/** The softphone's WebSocket (PCM16 16 kHz both ways, JSON events). */
export const BROWSER_PATH = '/browser';
const E164 = /^\+[1-9]\d{6,14}$/;

const sha = (s: string): Buffer => createHash('sha256').update(s).digest();
/** Constant-time comparison of two secrets of any length (digests have equal length). */
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(sha(a), sha(b));

/**
 * HTTP routes: the TwiML webhook (`/incoming-call`, `/voice`), outbound calls, health and metrics. The webhook
 * never awaits a provider (Twilio waits 15 s in all for the response: https://www.twilio.com/docs/api/errors/11205).
 */
export function createApp(ctx: RoutesContext): express.Express {
  const { config, tokens, metrics, log, state } = ctx;
  const app = express();
  app.disable('x-powered-by');
  const unavailable = twilioProblem(config);
  const refusals = new RateLimitedLog(3, 100);
  // Twilio posts application/x-www-form-urlencoded; signatures cover the parsed params
  // (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  const webhook: RequestHandler = (req, res) => {
    if (state.draining) {
      // Readiness fails at once; on an HTTP error Twilio requests the fallback URL
      // (https://www.twilio.com/docs/api/errors/11200).
      metrics.webhooksRejected.inc({ reason: 'draining' });
      res.status(503).set('Retry-After', '5').type('text/plain').send('draining');
      return;
    }
    if (unavailable !== undefined) {
      metrics.webhooksRejected.inc({ reason: 'twilio-not-configured' });
      if (refusals.shouldLog('webhook').log) log.error({ path: req.path }, `twilio webhook refused: ${unavailable}`);
      res.status(503).type('text/plain').send('twilio is not configured on this gateway');
      return;
    }
    const publicHost = config.publicHost as string;
    const params = req.method === 'POST' && req.body && typeof req.body === 'object' ? (req.body as Record<string, string>) : {};
    if (config.twilio.validateSignatures) {
      // The URL Twilio signed is the public one, never the Host this request arrived with (proxies rewrite it).
      const url = `https://${publicHost}${req.originalUrl}`;
      const check = validateWebhookSignature({ authToken: config.twilio.authToken ?? '', signature: req.headers['x-twilio-signature'], url, params });
      if (!check.ok) {
        metrics.webhooksRejected.inc({ reason: check.error.code });
        log.warn({ code: check.error.code, path: req.path }, 'webhook signature rejected');
        res.status(403).type('text/plain').send('invalid signature');
        return;
      }
    }
    const callSid = params['CallSid'] ?? (typeof req.query['CallSid'] === 'string' ? req.query['CallSid'] : undefined);
    const token = tokens.issue(callSid);
    const twiml = buildStreamTwiml({ url: `wss://${publicHost}${MEDIA_PATH}`, parameters: { token } });
    log.info({ callSid, direction: params['Direction'] }, 'call answered with a media stream');
    res.type('text/xml').send(twiml);
  };
  for (const path of ['/incoming-call', '/voice']) app.route(path).get(webhook).post(form, webhook);

  app.post('/api/call', express.json({ limit: '16kb' }), form, async (req: Request, res: Response) => {
    if (state.draining) {
      res.status(503).json({ error: 'draining' });
      return;
    }
    const expected = config.apiBearerToken;
    if (expected === undefined) {
      res.status(503).json({ error: 'outbound calls are disabled: set API_BEARER_TOKEN' });
      return;
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), expected)) {
      metrics.webhooksRejected.inc({ reason: 'api-auth' });
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const to = typeof body['to'] === 'string' ? body['to'].trim() : '';
    if (!E164.test(to)) {
      res.status(400).json({ error: "'to' must be an E.164 number such as +15550001111" });
      return;
    }
    const from = config.twilio.phoneNumber;
    if (ctx.outbound === undefined || from === undefined || config.publicHost === undefined) {
      res.status(503).json({ error: 'outbound calls need TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER and PUBLIC_HOST' });
      return;
    }
    try {
      const call = await ctx.outbound(to, from, `https://${config.publicHost}/incoming-call`);
      log.info({ callSid: call.sid, to: `…${to.slice(-4)}` }, 'outbound call created');
      res.status(201).json({ callSid: call.sid, status: call.status });
    } catch (e) {
      const err = e as { status?: number; code?: number; message?: string };
      log.error({ status: err.status, code: err.code }, 'twilio refused the outbound call');
      res.status(502).json({ error: 'twilio refused the call', status: err.status, code: err.code });
    }
  });

  if (config.softphone.enabled) {
    app.use(softphoneRouter({ config: config.softphone, publicHost: config.publicHost, tokens: ctx.browserTokens, metrics, log, draining: () => state.draining }));
  }

  app.get('/health', (_req, res) => {
    res.status(state.draining ? 503 : 200).json({ status: state.draining ? 'draining' : 'ok', activeCalls: ctx.activeCalls() });
  });

  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500) log.error({ err: String(err) }, 'request failed');
    res.status(status).json({ error: status >= 500 ? 'internal error' : 'bad request' });
  });
  return app;
}
