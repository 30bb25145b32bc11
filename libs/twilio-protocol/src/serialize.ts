import { encodeBase64 } from './base64';
import { TwilioProtocolError } from './errors';

/**
 * Outbound messages, byte-for-byte the shapes of https://www.twilio.com/docs/voice/media-streams/websocket-messages
 * ("Send messages to Twilio"). Built with template strings: 0.36 µs against 1.7 µs for `JSON.stringify` per frame
 * (measured on a 2-core box; the README's benchmark has this lib's numbers), and this runs 50 times a second per call.
 */

// SIDs are `MZ` + 32 hex; anything else gets full JSON escaping so a strange SID can never break the frame.
const PLAIN = /^[A-Za-z0-9_-]*$/;

function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** `{"event":"media","streamSid":…,"media":{"payload":<base64 μ-law>}}`. Throws `TWILIO_EMPTY_PAYLOAD` on empty audio. */
export function serializeMedia(streamSid: string, mulaw: Uint8Array): string {
  // An empty payload is a 31951 "invalid message" on Twilio's side; it is a caller bug, not a runtime condition.
  if (mulaw.byteLength === 0) throw new TwilioProtocolError('TWILIO_EMPTY_PAYLOAD', 'serializeMedia needs at least one byte', { field: 'media.payload' });
  return `{"event":"media","streamSid":${jsonString(streamSid)},"media":{"payload":"${encodeBase64(mulaw)}"}}`;
}

/** `{"event":"mark","streamSid":…,"mark":{"name":…}}`; the name is JSON-escaped (quotes, control chars, lone surrogates). */
export function serializeMark(streamSid: string, name: string): string {
  return `{"event":"mark","streamSid":${jsonString(streamSid)},"mark":{"name":${JSON.stringify(name)}}}`;
}

/** `{"event":"clear","streamSid":…}`: Twilio drops its buffered audio and echoes every pending mark. */
export function serializeClear(streamSid: string): string {
  return `{"event":"clear","streamSid":${jsonString(streamSid)}}`;
}
