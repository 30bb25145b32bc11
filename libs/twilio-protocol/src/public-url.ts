import type { IncomingHttpHeaders } from 'node:http';
import { TwilioProtocolError } from './errors';

/**
 * Twilio signs the URL it was told to call, so validation must rebuild that exact public URL. Behind a TLS-terminating
 * proxy or a tunnel the request's own scheme and Host are wrong (https→http, Host rewritten), hence: build it from a
 * configured public host; trust `X-Forwarded-*` only when explicitly enabled
 * (https://github.com/twilio-labs/twilio-aspnet/issues/162; twilio-agent-connect-python signature_validation.py).
 */
export type UrlScheme = 'wss' | 'ws' | 'https' | 'http';

// host, IPv4 or [IPv6], optional port; no userinfo, path or spaces, so a header cannot smuggle a different URL.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::\d{1,5})?$/;

/** `${scheme}://${publicHost}${path}`, e.g. `publicUrl('gw.example.com', '/twilio/media')` → `wss://gw.example.com/twilio/media`. */
export function publicUrl(publicHost: string, path: string, scheme: UrlScheme = 'wss'): string {
  if (!HOST.test(publicHost)) throw new TwilioProtocolError('TWILIO_BAD_URL', 'public host must be host[:port] without scheme or path', { field: 'publicHost' });
  assertPath(path);
  return `${scheme}://${publicHost}${path}`;
}

/**
 * The public URL from `X-Forwarded-Proto` / `X-Forwarded-Host` (falling back to `Host`), first element of
 * comma-separated lists (the client-most proxy). For a WebSocket URL `https`→`wss` and `http`→`ws`; a missing
 * proto counts as https (Twilio only calls https/wss). Use only when the proxy in front is yours.
 */
export function forwardedPublicUrl(headers: IncomingHttpHeaders, path: string, websocket = true): string {
  const host = firstValue(headers['x-forwarded-host']) ?? firstValue(headers.host);
  if (host === undefined) throw new TwilioProtocolError('TWILIO_NO_PUBLIC_HOST', 'no X-Forwarded-Host or Host header', { field: 'x-forwarded-host' });
  const proto = (firstValue(headers['x-forwarded-proto']) ?? 'https').toLowerCase();
  const scheme = mapScheme(proto, websocket);
  if (scheme === undefined) throw new TwilioProtocolError('TWILIO_BAD_URL', 'unsupported X-Forwarded-Proto', { field: 'x-forwarded-proto' });
  return publicUrl(host, path, scheme);
}

export interface ResolvePublicUrlOptions {
  /** Request path with its query, as received (`req.url`). */
  readonly path: string;
  /** Configured public host (`gw.example.com` or `host:port`); when set it always wins. */
  readonly publicHost?: string;
  /** Scheme of the public URL. Default `wss`; `ws`/`http` only for local tests. */
  readonly scheme?: UrlScheme;
  /** Build from `X-Forwarded-*` when no public host is configured. Default `false`. */
  readonly trustForwardedHeaders?: boolean;
  readonly headers?: IncomingHttpHeaders;
}

/** Configured host first, forwarded headers only when enabled, never the bare request Host. */
export function resolvePublicUrl(options: ResolvePublicUrlOptions): string {
  const scheme = options.scheme ?? 'wss';
  if (options.publicHost !== undefined && options.publicHost !== '') return publicUrl(options.publicHost, options.path, scheme);
  if (options.trustForwardedHeaders === true) return forwardedPublicUrl(options.headers ?? {}, options.path, scheme === 'wss' || scheme === 'ws');
  throw new TwilioProtocolError('TWILIO_NO_PUBLIC_HOST', 'configure a public host (or explicitly trust X-Forwarded-* headers)', { field: 'publicHost' });
}

/** First element of a header that may repeat or hold a comma list; `undefined` when absent or empty. */
export function firstValue(value: string | readonly string[] | undefined): string | undefined {
  const raw = typeof value === 'string' ? value : value?.[0];
  if (raw === undefined) return undefined;
  const first = raw.split(',', 1)[0].trim();
  return first === '' ? undefined : first;
}

/** Maps a proxy/base scheme onto the WebSocket family (or back): https↔wss, http↔ws. */
export function mapScheme(proto: string, websocket: boolean): UrlScheme | undefined {
  switch (proto) {
    case 'https':
    case 'wss':
      return websocket ? 'wss' : 'https';
    case 'http':
    case 'ws':
      return websocket ? 'ws' : 'http';
    default:
      return undefined;
  }
}

function assertPath(path: string): void {
  if (!path.startsWith('/') || /[\s#]/.test(path)) {
    throw new TwilioProtocolError('TWILIO_BAD_URL', 'path must start with / and hold no whitespace or fragment', { field: 'path' });
  }
}
