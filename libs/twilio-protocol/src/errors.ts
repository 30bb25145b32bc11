/**
 * The one error family of this lib. Codes are stable strings documented in README.md "Error codes".
 * Nothing here is retryable: a malformed frame stays malformed, a bad signature stays bad.
 */
export type TwilioProtocolErrorCode =
  // parseInbound: a frame from Twilio that cannot be used (Twilio's own 31950/31951 conditions, mirrored inbound)
  | 'TWILIO_BINARY_FRAME'
  | 'TWILIO_OVERSIZED'
  | 'TWILIO_MALFORMED_JSON'
  | 'TWILIO_UNKNOWN_EVENT'
  | 'TWILIO_MISSING_FIELD'
  | 'TWILIO_BAD_FIELD'
  | 'TWILIO_BAD_BASE64'
  | 'TWILIO_EMPTY_PAYLOAD'
  // TwiML and URLs
  | 'TWILIO_STREAM_URL_SCHEME'
  | 'TWILIO_STREAM_URL_QUERY'
  | 'TWILIO_PARAMETER_TOO_LONG'
  | 'TWILIO_BAD_URL'
  | 'TWILIO_NO_PUBLIC_HOST'
  // signatures
  | 'TWILIO_AUTH_TOKEN_MISSING'
  | 'TWILIO_SIGNATURE_MISSING'
  | 'TWILIO_SIGNATURE_INVALID'
  | 'TWILIO_BODY_HASH_MISMATCH';

export interface TwilioProtocolErrorOptions {
  /** Dotted path of the offending field, e.g. `media.payload`. */
  readonly field?: string;
  readonly cause?: unknown;
}

export class TwilioProtocolError extends Error {
  override readonly name = 'TwilioProtocolError';
  readonly code: TwilioProtocolErrorCode;
  readonly field: string | undefined;
  readonly retryable = false;

  constructor(code: TwilioProtocolErrorCode, message: string, options: TwilioProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}

/** The error type `parseInbound` reports (same class; the short name reads well at call sites). */
export type ProtocolError = TwilioProtocolError;

export function isTwilioProtocolError(value: unknown): value is TwilioProtocolError {
  return value instanceof TwilioProtocolError;
}
