import twilio from 'twilio';
import { TwilioProtocolError } from './errors';

/**
 * Twilio documents "The combined length of each <Parameter> name and value attributes must be under 500
 * characters" (https://www.twilio.com/docs/voice/twiml/stream).
 */
export const MAX_PARAMETER_CHARS = 500;

export interface StreamTwimlOptions {
  /** Absolute `wss://` URL of the media WebSocket, without query string (per-call data goes in `parameters`). */
  readonly url: string;
  /** `<Parameter name value>` pairs; they arrive in `start.customParameters`. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Optional unique name of the Stream. */
  readonly name?: string;
  /** Absolute http(s) URL that receives `stream-started` / `stream-stopped` / `stream-error`. */
  readonly statusCallback?: string;
  readonly statusCallbackMethod?: 'GET' | 'POST';
  /** `<Connect action>`: TwiML fetched when the stream ends (the server closed the WebSocket). */
  readonly connectAction?: string;
}

/**
 * `<Response><Connect><Stream url>…<Parameter/>…</Stream></Connect></Response>` via the twilio SDK's
 * VoiceResponse (it does the XML escaping). Throws `TwilioProtocolError` for inputs Twilio would reject at call
 * time, when the error is far harder to see: 31920/31922 for the URL, the 500-char `<Parameter>` rule.
 */
export function buildStreamTwiml(options: StreamTwimlOptions): string {
  assertStreamUrl(options.url);
  if (options.statusCallback !== undefined) assertHttpUrl(options.statusCallback, 'statusCallback');
  if (options.connectAction !== undefined) assertHttpUrl(options.connectAction, 'connectAction');
  const parameters = Object.entries(options.parameters ?? {});
  for (const [name, value] of parameters) {
    if (name.length === 0) throw new TwilioProtocolError('TWILIO_BAD_FIELD', 'a <Parameter> needs a name', { field: 'parameters' });
    if (name.length + value.length >= MAX_PARAMETER_CHARS) {
      throw new TwilioProtocolError('TWILIO_PARAMETER_TOO_LONG', `<Parameter> name + value must be under ${MAX_PARAMETER_CHARS} characters`, {
        field: `parameters.${name}`,
      });
    }
  }

  const response = new twilio.twiml.VoiceResponse();
  const connect = response.connect(options.connectAction === undefined ? {} : { action: options.connectAction });
  const stream = connect.stream({
    url: options.url,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.statusCallback === undefined ? {} : { statusCallback: options.statusCallback }),
    ...(options.statusCallbackMethod === undefined ? {} : { statusCallbackMethod: options.statusCallbackMethod }),
  });
  for (const [name, value] of parameters) stream.parameter({ name, value });
  return response.toString();
}

/**
 * Throws unless `url` is an absolute `wss://` URL with no whitespace, query string or fragment.
 * Twilio: "Twilio supports only wss", "The url does not support query string parameters" (error 31920;
 * 31922 for a bad scheme or whitespace).
 */
export function assertStreamUrl(url: string): void {
  if (/\s/.test(url)) throw new TwilioProtocolError('TWILIO_STREAM_URL_SCHEME', 'stream url contains whitespace (Twilio 31922)', { field: 'url' });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TwilioProtocolError('TWILIO_STREAM_URL_SCHEME', 'stream url must be an absolute wss:// URL (Twilio 31922)', { field: 'url', cause });
  }
  if (parsed.protocol !== 'wss:') {
    throw new TwilioProtocolError('TWILIO_STREAM_URL_SCHEME', `stream url scheme must be wss, got ${parsed.protocol.slice(0, -1)} (Twilio 31922)`, { field: 'url' });
  }
  if (url.includes('?')) {
    throw new TwilioProtocolError('TWILIO_STREAM_URL_QUERY', 'stream url must not have a query string; use parameters (Twilio 31920)', { field: 'url' });
  }
  if (url.includes('#')) throw new TwilioProtocolError('TWILIO_BAD_URL', 'stream url must not have a fragment', { field: 'url' });
}

function assertHttpUrl(url: string, field: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new TwilioProtocolError('TWILIO_BAD_URL', `${field} must be an absolute http(s) URL`, { field });
  }
}
