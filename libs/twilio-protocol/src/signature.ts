import twilio from 'twilio';
import { TwilioProtocolError, type TwilioProtocolErrorCode } from './errors';
import { mapScheme } from './public-url';

/**
 * `X-Twilio-Signature` checks through the twilio SDK (HMAC-SHA1 over URL + sorted params, constant-time compare, port
 * and legacy-querystring variants): twilio-node src/webhooks/webhooks.ts. See
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security.
 */

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly error: TwilioProtocolError };

/** A header value as Node hands it over (`req.headers['x-twilio-signature']`). */
export type SignatureHeader = string | readonly string[] | undefined;

export type WebhookParams = Readonly<Record<string, string | readonly string[]>>;

export interface WebhookSignatureInput {
  readonly authToken: string;
  readonly signature: SignatureHeader;
  /** The full public URL Twilio called, query included, exactly as configured in Twilio (see `publicUrl`). */
  readonly url: string;
  /** Parsed `application/x-www-form-urlencoded` body. Ignored for JSON bodies (the URL carries `bodySHA256`). */
  readonly params?: WebhookParams;
  /** The raw request body: required when the URL has `bodySHA256` (JSON webhooks; Twilio error 57012). */
  readonly rawBody?: string;
}

/**
 * Form posts: `validateRequest(token, sig, url, params)`. JSON posts (the URL has `bodySHA256`): the signature
 * covers the URL with empty params and the body must hash to `bodySHA256` (`validateRequestWithBody`).
 */
export function validateWebhookSignature(input: WebhookSignatureInput): SignatureCheck {
  const pre = precheck(input.authToken, input.signature);
  if (typeof pre !== 'string') return pre;
  let hasBodyHash: boolean;
  try {
    hasBodyHash = new URL(input.url).searchParams.has('bodySHA256');
  } catch (cause) {
    return failure('TWILIO_BAD_URL', 'webhook url is not an absolute URL', 'url', cause);
  }
  if (!hasBodyHash) {
    return twilio.validateRequest(input.authToken, pre, input.url, input.params ?? {}) ? OK : invalid();
  }
  if (!twilio.validateRequest(input.authToken, pre, input.url, {})) return invalid();
  if (input.rawBody === undefined) return failure('TWILIO_BODY_HASH_MISMATCH', 'url has bodySHA256 but no raw body was given', 'rawBody');
  return twilio.validateRequestWithBody(input.authToken, pre, input.url, input.rawBody)
    ? OK
    : failure('TWILIO_BODY_HASH_MISMATCH', 'body does not match bodySHA256', 'rawBody');
}

export interface UpgradeSignatureInput {
  readonly authToken: string;
  readonly signature: SignatureHeader;
  /** Public base exactly as used in the TwiML `<Stream url>`, e.g. `wss://gw.example.com`. https→wss, http→ws. */
  readonly publicBaseUrl: string;
  /** Request path as received (`req.url`), e.g. `/twilio/media`. */
  readonly path: string;
}

/**
 * The Media Streams WebSocket upgrade: Twilio signs the `wss://` URL exactly as written in the TwiML, with empty
 * params (twilio-labs/twilio-aspnet#162: "the URL must be adjusted to have a wss:// URL instead of https://").
 * A signature computed over the `https://` form is therefore rejected.
 */
export function validateUpgradeSignature(input: UpgradeSignatureInput): SignatureCheck {
  const pre = precheck(input.authToken, input.signature);
  if (typeof pre !== 'string') return pre;
  let url: string;
  try {
    url = upgradeUrl(input.publicBaseUrl, input.path);
  } catch (error) {
    return { ok: false, error: error as TwilioProtocolError };
  }
  return twilio.validateRequest(input.authToken, pre, url, {}) ? OK : invalid();
}

/** Joins a public base (`wss://host[/prefix]`, trailing slash optional) and a request path into the signed URL. */
export function upgradeUrl(publicBaseUrl: string, path: string): string {
  const match = /^([a-z]+):\/\/([^/?#\s]+)(\/[^?#\s]*)?$/i.exec(publicBaseUrl);
  const scheme = match === null ? undefined : mapScheme(match[1].toLowerCase(), true);
  if (match === null || scheme === undefined) {
    throw new TwilioProtocolError('TWILIO_BAD_URL', 'publicBaseUrl must look like wss://host[:port][/prefix]', { field: 'publicBaseUrl' });
  }
  if (!path.startsWith('/') || /[\s#]/.test(path)) throw new TwilioProtocolError('TWILIO_BAD_URL', 'path must start with /', { field: 'path' });
  const prefix = (match[3] ?? '').replace(/\/+$/, '');
  return `${scheme}://${match[2]}${prefix}${path}`;
}

/** The signature Twilio would send for `url` + `params` (for tests and fakes): twilio `getExpectedTwilioSignature`. */
export function computeSignature(authToken: string, url: string, params: WebhookParams = {}): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

const OK: SignatureCheck = Object.freeze({ ok: true });

function precheck(authToken: string, header: SignatureHeader): string | SignatureCheck {
  // An empty token would make every signature forgeable by anyone who knows that.
  if (typeof authToken !== 'string' || authToken === '') return failure('TWILIO_AUTH_TOKEN_MISSING', 'authToken is empty', 'authToken');
  let signature: string | undefined;
  if (typeof header === 'string' || header === undefined) signature = header;
  else if (header.length > 1) return invalid(); // several signature headers: not something Twilio sends
  else signature = header[0];
  if (signature === undefined || signature === '') return failure('TWILIO_SIGNATURE_MISSING', 'missing X-Twilio-Signature', 'x-twilio-signature');
  return signature;
}

function invalid(): SignatureCheck {
  return failure('TWILIO_SIGNATURE_INVALID', 'X-Twilio-Signature does not match', 'x-twilio-signature');
}

function failure(code: TwilioProtocolErrorCode, message: string, field: string, cause?: unknown): SignatureCheck {
  return { ok: false, error: new TwilioProtocolError(code, message, { field, cause }) };
}
