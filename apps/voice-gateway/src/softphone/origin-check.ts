import type { IncomingHttpHeaders } from 'node:http';
import type { SoftphoneConfig } from '../config/config';

export type OriginCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'origin-missing' | 'origin-malformed' | 'origin-mismatch' | 'host-not-allowed' };

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Origin check for the browser endpoints (token and `WS /browser`), against cross-site WebSocket hijacking
 * (validate `Origin` against an allowlist: OWASP WebSocket Security Cheat Sheet,
 * https://cheatsheetseries.owasp.org/cheatsheets/WebSocket_Security_Cheat_Sheet.html). Browsers always send
 * `Origin` on a WebSocket handshake and on a POST, so a missing one is refused.
 *
 * Allowed: an exact entry of `SOFTPHONE_ALLOWED_ORIGINS`, or the page's own origin (`Origin` host = `Host`) when
 * that host is loopback or `PUBLIC_HOST`. The host restriction closes DNS rebinding, where a hostile name resolves to
 * this machine and its pages are then "same origin" with the gateway.
 */
export function checkBrowserOrigin(headers: IncomingHttpHeaders, cfg: SoftphoneConfig, publicHost: string | undefined): OriginCheck {
  const origin = headers.origin;
  if (origin === undefined || origin === '' || origin === 'null') return { ok: false, reason: 'origin-missing' };
  if (cfg.allowedOrigins.includes(origin)) return { ok: true };
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { ok: false, reason: 'origin-malformed' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'origin-malformed' };
  if (url.host.toLowerCase() !== (headers.host ?? '').toLowerCase()) return { ok: false, reason: 'origin-mismatch' };
  if (LOOPBACK.test(url.hostname) || (publicHost !== undefined && url.host.toLowerCase() === publicHost.toLowerCase())) return { ok: true };
  return { ok: false, reason: 'host-not-allowed' };
}
