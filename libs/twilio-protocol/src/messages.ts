/**
 * Twilio Media Streams messages, bidirectional `<Connect><Stream>`.
 * Source: https://www.twilio.com/docs/voice/media-streams/websocket-messages
 *
 * The `*Wire` interfaces are the JSON exactly as it crosses the socket: counters are JSON strings
 * (`"sequenceNumber": "3"`), media format numbers are numbers. The parsed inbound messages keep every wire
 * field and add the numbers and bytes a consumer needs (`seq`, `chunk`, `timestampMs`, `audio`).
 */

/** Twilio documents these as constants: μ-law, 8 kHz, mono. */
export const TWILIO_MEDIA_ENCODING = 'audio/x-mulaw';
export const TWILIO_SAMPLE_RATE = 8000;
/** 20 ms of 8 kHz μ-law: the usual inbound frame (not a documented guarantee). */
export const TWILIO_FRAME_BYTES = 160;
export const TWILIO_FRAME_MS = 20;

export type InboundEvent = 'connected' | 'start' | 'media' | 'dtmf' | 'mark' | 'stop';
export type OutboundEvent = 'media' | 'mark' | 'clear';

// ---- inbound: Twilio → server, wire shapes ----

export interface ConnectedWire {
  readonly event: 'connected';
  readonly protocol: string;
  readonly version: string;
}

export interface MediaFormatWire {
  readonly encoding: string;
  readonly sampleRate: number;
  readonly channels: number;
}

export interface StartPayloadWire {
  readonly accountSid: string;
  readonly streamSid: string;
  readonly callSid: string;
  readonly tracks: readonly string[];
  readonly mediaFormat: MediaFormatWire;
  /** From nested `<Parameter name value>`; `{}` when the TwiML had none. */
  readonly customParameters: Readonly<Record<string, string>>;
}

export interface StartWire {
  readonly event: 'start';
  readonly sequenceNumber: string;
  readonly streamSid: string;
  readonly start: StartPayloadWire;
}

export interface InboundMediaPayloadWire {
  readonly track: string;
  readonly chunk: string;
  readonly timestamp: string;
  readonly payload: string;
}

export interface InboundMediaWire {
  readonly event: 'media';
  readonly sequenceNumber: string;
  readonly streamSid: string;
  readonly media: InboundMediaPayloadWire;
}

export interface DtmfWire {
  readonly event: 'dtmf';
  readonly sequenceNumber: string;
  readonly streamSid: string;
  readonly dtmf: { readonly track: string; readonly digit: string };
}

export interface InboundMarkWire {
  readonly event: 'mark';
  readonly sequenceNumber: string;
  readonly streamSid: string;
  readonly mark: { readonly name: string };
}

export interface StopWire {
  readonly event: 'stop';
  readonly sequenceNumber: string;
  readonly streamSid: string;
  readonly stop: { readonly accountSid: string; readonly callSid: string };
}

export type InboundWire = ConnectedWire | StartWire | InboundMediaWire | DtmfWire | InboundMarkWire | StopWire;

// ---- inbound: parsed (wire + numbers) ----

interface Sequenced {
  /** `sequenceNumber` as a number: 1 for `start`, then +1 per message. */
  readonly seq: number;
}

export type ConnectedMessage = ConnectedWire;
export interface StartMessage extends StartWire, Sequenced {}
export interface MediaMessage extends InboundMediaWire, Sequenced {
  /** `media.chunk` as a number (1-based per media message). */
  readonly chunk: number;
  /** `media.timestamp`: presentation time in ms from the start of the stream. */
  readonly timestampMs: number;
  /** `media.payload` decoded: raw μ-law 8 kHz bytes. */
  readonly audio: Uint8Array;
}
export interface DtmfMessage extends DtmfWire, Sequenced {}
/** The echo of a mark the server sent: its audio has played, or a `clear` flushed it. */
export interface MarkMessage extends InboundMarkWire, Sequenced {}
export interface StopMessage extends StopWire, Sequenced {}

export type InboundMessage = ConnectedMessage | StartMessage | MediaMessage | DtmfMessage | MarkMessage | StopMessage;

// ---- outbound: server → Twilio (only these three are accepted, error 31951) ----

export interface OutboundMediaWire {
  readonly event: 'media';
  readonly streamSid: string;
  /** Base64 μ-law 8 kHz, no file header, no `track` field. */
  readonly media: { readonly payload: string };
}

export interface OutboundMarkWire {
  readonly event: 'mark';
  readonly streamSid: string;
  readonly mark: { readonly name: string };
}

export interface OutboundClearWire {
  readonly event: 'clear';
  readonly streamSid: string;
}

export type OutboundWire = OutboundMediaWire | OutboundMarkWire | OutboundClearWire;
