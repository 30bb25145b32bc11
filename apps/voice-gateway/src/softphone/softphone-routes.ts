import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { SoftphoneConfig } from '../config/config';
import type { GatewayMetrics } from '../observability/metrics';
import type { CallTokens } from '../server/call-tokens';
import { checkBrowserOrigin } from './origin-check';

/** The page's files (plain HTML/JS/CSS, no build step), next to `src/` in both source and `dist/` layouts. */
export const SOFTPHONE_DIR = join(__dirname, '..', '..', 'softphone');
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'softphone.js': 'text/javascript; charset=utf-8',
  'capture-worklet.js': 'text/javascript; charset=utf-8',
  'softphone.css': 'text/css; charset=utf-8',
};
/** The page talks only to its own origin; nothing inline, nothing framed (OWASP secure headers). */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface SoftphoneRoutesContext {
  readonly config: SoftphoneConfig;
  readonly publicHost: string | undefined;
  readonly tokens: CallTokens;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly draining: () => boolean;
}

/**
 * `GET /` (the page), `GET /softphone/<file>` and `POST /softphone/token`: a single-use token, valid
 * `SOFTPHONE_TOKEN_TTL_MS`, that `WS /browser?token=` needs. The token route checks Origin like the upgrade does,
 * so another site cannot obtain one through the visitor's browser.
 */
export function softphoneRouter(ctx: SoftphoneRoutesContext): express.Router {
  const router = express.Router();
  // Read once at start: a handful of small files; a missing one is a broken checkout, reported at once.
  const files = new Map(Object.entries(FILES).map(([name, type]) => [name, { type, body: readFileSync(join(SOFTPHONE_DIR, name)) }]));
  const serve = (name: string) => (_req: Request, res: Response) => {
    const f = files.get(name);
    if (!f) {
      res.status(404).end();
      return;
    }
    res
      .status(200)
      .set({
        'Content-Type': f.type,
        'Cache-Control': 'no-store',
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Permissions-Policy': 'microphone=(self)',
      })
      .send(f.body);
  };
  router.get('/', serve('index.html'));
  for (const name of Object.keys(FILES)) router.get(`/softphone/${name}`, serve(name));
  router.post('/softphone/token', (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (ctx.draining()) {
      res.status(503).json({ error: 'draining' });
      return;
    }
    const check = checkBrowserOrigin(req.headers, ctx.config, ctx.publicHost);
    if (!check.ok) {
      ctx.metrics.webhooksRejected.inc({ reason: `softphone-${check.reason}` });
      ctx.log.warn({ reason: check.reason, origin: req.headers.origin, host: req.headers.host }, 'softphone token refused: origin not allowed (see SOFTPHONE_ALLOWED_ORIGINS)');
      res.status(403).json({ error: 'origin not allowed' });
      return;
    }
    res.json({ token: ctx.tokens.issue(), expiresInMs: ctx.config.tokenTtlMs, path: '/browser' });
  });
  return router;
}
