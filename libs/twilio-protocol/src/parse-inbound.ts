import { isStrictBase64 } from './base64';
import { TwilioProtocolError, type ProtocolError, type TwilioProtocolErrorCode } from './errors';
import type {
  ConnectedMessage,
  DtmfMessage,
  MarkMessage,
  MediaMessage,
  InboundMessage,
  InboundMediaPayloadWire,
  StartMessage,
  StartPayloadWire,
  StopMessage,
} from './messages';

/**
 * 64 KiB, as openai-agents-python#5110 caps Twilio WS messages. A Twilio media frame is ≈0.4 KB, a `start` with
 * custom parameters a few KB at most, so anything near this limit is not Twilio.
 */
export const DEFAULT_MAX_INBOUND_BYTES = 64 * 1024;

export interface ParseInboundOptions {
  /** Frames larger than this (in bytes) are rejected before any parsing. Default `DEFAULT_MAX_INBOUND_BYTES`. */
  readonly maxBytes?: number;
  /** Pass `ws`'s `isBinary` flag: Media Streams frames are text only, a binary frame is rejected. */
  readonly isBinary?: boolean;
}

/** What `ws` hands a `message` listener (`RawData`), or a string. */
export type RawFrame = string | Buffer | ArrayBuffer | readonly Buffer[];

export type ParseInboundResult = { readonly ok: true; readonly message: InboundMessage } | { readonly ok: false; readonly error: ProtocolError };

type Obj = Record<string, unknown>;

/**
 * Validates one frame from Twilio, once, at the boundary. Never throws: a bad frame yields a coded error
 * (with the offending field's dotted path) so the caller can log it and let the call go on, as Twilio itself
 * does with 31950/31951 (warnings, the stream continues).
 */
export function parseInbound(raw: RawFrame, opts?: ParseInboundOptions): ParseInboundResult {
  const maxBytes = opts?.maxBytes ?? DEFAULT_MAX_INBOUND_BYTES;
  if (opts?.isBinary === true) return fail('TWILIO_BINARY_FRAME', 'binary frame: Media Streams sends JSON text frames only');
  let text: string;
  if (typeof raw === 'string') {
    // A UTF-16 unit is 1..3 UTF-8 bytes: only count bytes when the length alone cannot decide.
    if (raw.length > maxBytes || (raw.length * 3 > maxBytes && Buffer.byteLength(raw, 'utf8') > maxBytes)) return oversized(maxBytes);
    text = raw;
  } else {
    const size = frameBytes(raw);
    if (size > maxBytes) return oversized(maxBytes);
    text = frameText(raw);
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return { ok: false, error: new TwilioProtocolError('TWILIO_MALFORMED_JSON', 'frame is not valid JSON', { cause }) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('TWILIO_MALFORMED_JSON', 'frame is not a JSON object');
  const o = value as Obj;
  const event = o['event'];
  if (typeof event !== 'string') return fieldError(event, 'event');
  switch (event) {
    case 'media':
      return parseMedia(o);
    case 'mark':
      return parseMark(o);
    case 'start':
      return parseStart(o);
    case 'dtmf':
      return parseDtmf(o);
    case 'stop':
      return parseStop(o);
    case 'connected':
      return parseConnected(o);
    default:
      return fail('TWILIO_UNKNOWN_EVENT', `unknown event "${event.slice(0, 32)}"`, 'event');
  }
}

function parseMedia(o: Obj): ParseInboundResult {
  const head = sequenced(o);
  if (head instanceof TwilioProtocolError) return { ok: false, error: head };
  const media = o['media'];
  if (!isObj(media)) return fieldError(media, 'media');
  const track = media['track'];
  if (typeof track !== 'string') return fieldError(track, 'media.track');
  const chunkText = media['chunk'];
  if (typeof chunkText !== 'string') return fieldError(chunkText, 'media.chunk');
  const chunk = parseCounter(chunkText);
  if (chunk < 0) return fail('TWILIO_BAD_FIELD', 'media.chunk is not a decimal string', 'media.chunk');
  const timestampText = media['timestamp'];
  if (typeof timestampText !== 'string') return fieldError(timestampText, 'media.timestamp');
  const timestampMs = parseCounter(timestampText);
  if (timestampMs < 0) return fail('TWILIO_BAD_FIELD', 'media.timestamp is not a decimal string', 'media.timestamp');
  const payload = media['payload'];
  if (typeof payload !== 'string') return fieldError(payload, 'media.payload');
  if (payload.length === 0) return fail('TWILIO_EMPTY_PAYLOAD', 'media.payload is empty', 'media.payload');
  if (!isStrictBase64(payload)) return fail('TWILIO_BAD_BASE64', 'media.payload is not strict base64', 'media.payload');
  const message: MediaMessage = {
    event: 'media',
    sequenceNumber: head.sequenceNumber,
    seq: head.seq,
    streamSid: head.streamSid,
    media: media as unknown as InboundMediaPayloadWire,
    chunk,
    timestampMs,
    audio: Buffer.from(payload, 'base64'),
  };
  return { ok: true, message };
}

function parseMark(o: Obj): ParseInboundResult {
  const head = sequenced(o);
  if (head instanceof TwilioProtocolError) return { ok: false, error: head };
  const mark = o['mark'];
  if (!isObj(mark)) return fieldError(mark, 'mark');
  const name = mark['name'];
  if (typeof name !== 'string') return fieldError(name, 'mark.name');
  const message: MarkMessage = { event: 'mark', ...head, mark: { name } };
  return { ok: true, message };
}

function parseStart(o: Obj): ParseInboundResult {
  const head = sequenced(o);
  if (head instanceof TwilioProtocolError) return { ok: false, error: head };
  const start = o['start'];
  if (!isObj(start)) return fieldError(start, 'start');
  const ids = strings(start, 'start', ['accountSid', 'streamSid', 'callSid']);
  if (ids instanceof TwilioProtocolError) return { ok: false, error: ids };
  const [accountSid, streamSid, callSid] = ids;
  if (streamSid !== head.streamSid) return fail('TWILIO_BAD_FIELD', 'start.streamSid differs from streamSid', 'start.streamSid');
  const tracks = start['tracks'];
  if (!Array.isArray(tracks)) return fieldError(tracks, 'start.tracks');
  if (!tracks.every((t) => typeof t === 'string')) return fail('TWILIO_BAD_FIELD', 'start.tracks must hold strings', 'start.tracks');
  const format = start['mediaFormat'];
  if (!isObj(format)) return fieldError(format, 'start.mediaFormat');
  const encoding = format['encoding'];
  if (typeof encoding !== 'string') return fieldError(encoding, 'start.mediaFormat.encoding');
  const sampleRate = format['sampleRate'];
  if (typeof sampleRate !== 'number') return fieldError(sampleRate, 'start.mediaFormat.sampleRate');
  const channels = format['channels'];
  if (typeof channels !== 'number') return fieldError(channels, 'start.mediaFormat.channels');
  // Absent when the TwiML had no <Parameter>: normalise to {} so consumers need no undefined check.
  const params = start['customParameters'] ?? {};
  if (!isObj(params)) return fail('TWILIO_BAD_FIELD', 'start.customParameters must be an object', 'start.customParameters');
  const customParameters: Record<string, string> = {};
  for (const key of Object.keys(params)) {
    const v = params[key];
    if (typeof v !== 'string') return fail('TWILIO_BAD_FIELD', 'custom parameter values must be strings', `start.customParameters.${key}`);
    customParameters[key] = v;
  }
  const payload: StartPayloadWire = {
    accountSid,
    streamSid,
    callSid,
    tracks: tracks as string[],
    mediaFormat: { encoding, sampleRate, channels },
    customParameters,
  };
  const message: StartMessage = { event: 'start', ...head, start: payload };
  return { ok: true, message };
}

function parseDtmf(o: Obj): ParseInboundResult {
  const head = sequenced(o);
  if (head instanceof TwilioProtocolError) return { ok: false, error: head };
  const dtmf = o['dtmf'];
  if (!isObj(dtmf)) return fieldError(dtmf, 'dtmf');
  const fields = strings(dtmf, 'dtmf', ['track', 'digit']);
  if (fields instanceof TwilioProtocolError) return { ok: false, error: fields };
  const message: DtmfMessage = { event: 'dtmf', ...head, dtmf: { track: fields[0], digit: fields[1] } };
  return { ok: true, message };
}

function parseStop(o: Obj): ParseInboundResult {
  const head = sequenced(o);
  if (head instanceof TwilioProtocolError) return { ok: false, error: head };
  const stop = o['stop'];
  if (!isObj(stop)) return fieldError(stop, 'stop');
  const ids = strings(stop, 'stop', ['accountSid', 'callSid']);
  if (ids instanceof TwilioProtocolError) return { ok: false, error: ids };
  const message: StopMessage = { event: 'stop', ...head, stop: { accountSid: ids[0], callSid: ids[1] } };
  return { ok: true, message };
}

function parseConnected(o: Obj): ParseInboundResult {
  // The first message: no streamSid, no sequenceNumber (Twilio docs example).
  const fields = strings(o, '', ['protocol', 'version']);
  if (fields instanceof TwilioProtocolError) return { ok: false, error: fields };
  const message: ConnectedMessage = { event: 'connected', protocol: fields[0], version: fields[1] };
  return { ok: true, message };
}

interface Head {
  readonly sequenceNumber: string;
  readonly seq: number;
  readonly streamSid: string;
}

/** The fields every message after `connected` carries. */
function sequenced(o: Obj): Head | TwilioProtocolError {
  const sequenceNumber = o['sequenceNumber'];
  if (typeof sequenceNumber !== 'string') return fieldErr(sequenceNumber, 'sequenceNumber');
  const seq = parseCounter(sequenceNumber);
  if (seq < 0) return new TwilioProtocolError('TWILIO_BAD_FIELD', 'sequenceNumber is not a decimal string', { field: 'sequenceNumber' });
  const streamSid = o['streamSid'];
  if (typeof streamSid !== 'string') return fieldErr(streamSid, 'streamSid');
  return { sequenceNumber, seq, streamSid };
}

function strings(o: Obj, prefix: string, keys: readonly string[]): string[] | TwilioProtocolError {
  const out: string[] = [];
  for (const key of keys) {
    const v = o[key];
    if (typeof v !== 'string') return fieldErr(v, prefix === '' ? key : `${prefix}.${key}`);
    out.push(v);
  }
  return out;
}

/**
 * Twilio sends counters as JSON strings of decimal digits (`"sequenceNumber": "3"`). Returns -1 when `s` is not
 * one. A digit loop: `Number(s)` would accept `" 3"`, `"0x10"`, `"1e3"`.
 */
export function parseCounter(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function frameBytes(raw: Exclude<RawFrame, string>): number {
  if (Array.isArray(raw)) {
    let n = 0;
    for (const part of raw as readonly Buffer[]) n += part.byteLength;
    return n;
  }
  return (raw as Buffer | ArrayBuffer).byteLength;
}

function frameText(raw: Exclude<RawFrame, string>): string {
  if (Array.isArray(raw)) return Buffer.concat(raw as readonly Buffer[]).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return (raw as Buffer).toString('utf8');
}

function fieldErr(value: unknown, field: string): TwilioProtocolError {
  return value === undefined || value === null
    ? new TwilioProtocolError('TWILIO_MISSING_FIELD', `missing ${field}`, { field })
    : new TwilioProtocolError('TWILIO_BAD_FIELD', `${field} has the wrong type`, { field });
}

function fieldError(value: unknown, field: string): ParseInboundResult {
  return { ok: false, error: fieldErr(value, field) };
}

function fail(code: TwilioProtocolErrorCode, message: string, field?: string): ParseInboundResult {
  return { ok: false, error: new TwilioProtocolError(code, message, { field }) };
}

function oversized(maxBytes: number): ParseInboundResult {
  return fail('TWILIO_OVERSIZED', `frame larger than ${maxBytes} bytes`);
}
