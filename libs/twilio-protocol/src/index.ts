export type { TwilioProtocolErrorCode, TwilioProtocolErrorOptions, ProtocolError } from './errors';
export { TwilioProtocolError, isTwilioProtocolError } from './errors';

export type {
  InboundEvent,
  OutboundEvent,
  ConnectedWire,
  MediaFormatWire,
  StartPayloadWire,
  StartWire,
  InboundMediaPayloadWire,
  InboundMediaWire,
  DtmfWire,
  InboundMarkWire,
  StopWire,
  InboundWire,
  ConnectedMessage,
  StartMessage,
  MediaMessage,
  DtmfMessage,
  MarkMessage,
  StopMessage,
  InboundMessage,
  OutboundMediaWire,
  OutboundMarkWire,
  OutboundClearWire,
  OutboundWire,
} from './messages';
export { TWILIO_MEDIA_ENCODING, TWILIO_SAMPLE_RATE, TWILIO_FRAME_BYTES, TWILIO_FRAME_MS } from './messages';

export type { ParseInboundOptions, ParseInboundResult, RawFrame } from './parse-inbound';
export { parseInbound, parseCounter, DEFAULT_MAX_INBOUND_BYTES } from './parse-inbound';
export { isStrictBase64, decodeBase64Strict, encodeBase64 } from './base64';
export { serializeMedia, serializeMark, serializeClear } from './serialize';

export type { StreamTwimlOptions } from './twiml';
export { buildStreamTwiml, assertStreamUrl, MAX_PARAMETER_CHARS } from './twiml';

export type { SignatureCheck, SignatureHeader, WebhookParams, WebhookSignatureInput, UpgradeSignatureInput } from './signature';
export { validateWebhookSignature, validateUpgradeSignature, upgradeUrl, computeSignature } from './signature';
export type { UrlScheme, ResolvePublicUrlOptions } from './public-url';
export { publicUrl, forwardedPublicUrl, resolvePublicUrl, firstValue } from './public-url';
