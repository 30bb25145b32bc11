/**
 * The checks Twilio applies to what a server sends on a bidirectional stream
 * (https://www.twilio.com/docs/voice/media-streams/websocket-messages; https://www.twilio.com/docs/api/errors/31950,
 * 31951, 31924): text frames only; `event` ∈ {media, mark, clear}; `streamSid` equal to the `start` one;
 * `media.payload` valid non-empty base64 without a RIFF/.snd header; no fields beyond the documented ones; nothing
 * before `start`. Written independently of @voice/twilio-protocol so the fake can catch its bugs too.
 */

export type TwilioViolationCode =
  | 'binary-frame'
  | 'malformed-json'
  | 'unsupported-event'
  | 'before-start'
  | 'wrong-stream-sid'
  | 'missing-field'
  | 'extra-field'
  | 'bad-payload'
  | 'header-in-payload'
  | 'buffer-overflow';

export interface GatewayFrameViolation {
  readonly code: TwilioViolationCode;
  /** The Twilio error/warning this would raise on a real call. */
  readonly twilioCode: 31931 | 31950 | 31951;
  readonly message: string;
  readonly field?: string;
}

export type GatewayFrame =
  | { readonly event: 'media'; readonly streamSid: string; readonly audio: Uint8Array }
  | { readonly event: 'mark'; readonly streamSid: string; readonly name: string }
  | { readonly event: 'clear'; readonly streamSid: string };

export type GatewayFrameCheck = { readonly ok: true; readonly frame: GatewayFrame } | { readonly ok: false; readonly violation: GatewayFrameViolation };

const ALLOWED_KEYS: Readonly<Record<string, readonly string[]>> = {
  media: ['event', 'streamSid', 'media'],
  mark: ['event', 'streamSid', 'mark'],
  clear: ['event', 'streamSid'],
};
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RIFF = [0x52, 0x49, 0x46, 0x46];
const SND = [0x2e, 0x73, 0x6e, 0x64];

/** Checks one frame the gateway sent; `streamSid` is the SID of the `start` sent so far (undefined: not yet). */
export function checkGatewayFrame(text: string | undefined, isBinary: boolean, streamSid: string | undefined): GatewayFrameCheck {
  if (isBinary || text === undefined) return bad('binary-frame', 31950, 'binary frame: Twilio accepts JSON text frames only');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('malformed-json', 31951, 'frame is not valid JSON');
  }
  if (!isRecord(value)) return bad('malformed-json', 31951, 'frame is not a JSON object');
  const event = value['event'];
  if (typeof event !== 'string' || ALLOWED_KEYS[event] === undefined) {
    return bad('unsupported-event', 31951, `event ${JSON.stringify(event)} is not media, mark or clear`, 'event');
  }
  if (streamSid === undefined) return bad('before-start', 31951, `${event} sent before the start message`);
  const allowed = ALLOWED_KEYS[event];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) return bad('extra-field', 31951, `unexpected field ${key}`, key);
  }
  if (typeof value['streamSid'] !== 'string') return bad('missing-field', 31951, 'missing streamSid', 'streamSid');
  if (value['streamSid'] !== streamSid) return bad('wrong-stream-sid', 31951, 'streamSid differs from the start message', 'streamSid');

  if (event === 'clear') return { ok: true, frame: { event, streamSid } };
  if (event === 'mark') {
    const mark = value['mark'];
    if (!isRecord(mark)) return bad('missing-field', 31951, 'missing mark', 'mark');
    const extra = Object.keys(mark).find((k) => k !== 'name');
    if (extra !== undefined) return bad('extra-field', 31951, `unexpected field mark.${extra}`, `mark.${extra}`);
    if (typeof mark['name'] !== 'string') return bad('missing-field', 31951, 'missing mark.name', 'mark.name');
    return { ok: true, frame: { event, streamSid, name: mark['name'] } };
  }
  const media = value['media'];
  if (!isRecord(media)) return bad('missing-field', 31951, 'missing media', 'media');
  const extra = Object.keys(media).find((k) => k !== 'payload');
  if (extra !== undefined) return bad('extra-field', 31951, `unexpected field media.${extra}`, `media.${extra}`);
  const payload = media['payload'];
  if (typeof payload !== 'string') return bad('missing-field', 31951, 'missing media.payload', 'media.payload');
  if (payload.length === 0 || !BASE64.test(payload)) return bad('bad-payload', 31951, 'media.payload is not non-empty base64', 'media.payload');
  const audio = new Uint8Array(Buffer.from(payload, 'base64'));
  if (startsWith(audio, RIFF) || startsWith(audio, SND)) {
    return bad('header-in-payload', 31951, 'media.payload starts with a RIFF/.snd file header', 'media.payload');
  }
  return { ok: true, frame: { event: 'media', streamSid, audio } };
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(code: TwilioViolationCode, twilioCode: GatewayFrameViolation['twilioCode'], message: string, field?: string): GatewayFrameCheck {
  return { ok: false, violation: field === undefined ? { code, twilioCode, message } : { code, twilioCode, message, field } };
}
