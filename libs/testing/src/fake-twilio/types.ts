// Options and records of FakeTwilioClient.
import type { ClientOptions } from 'ws';
import type { GatewayFrame, GatewayFrameViolation } from './gateway-frame';
import type { TwilioClock } from './playback';

export interface FakeTwilioClientOptions {
  /** The gateway's media endpoint, e.g. `ws://127.0.0.1:PORT/twilio/media`. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** When set, the upgrade carries `X-Twilio-Signature: signUpgrade(authToken, signedUrl)`. */
  readonly authToken?: string;
  /** The public `wss://` URL as written in the TwiML (what Twilio signs). Default: `url`. */
  readonly signedUrl?: string;
  readonly accountSid?: string;
  readonly callSid?: string;
  readonly streamSid?: string;
  /** Delivered in `start.customParameters`. */
  readonly customParameters?: Readonly<Record<string, string>>;
  /** Send `connected` and `start` as soon as the socket opens. Default `true`. */
  readonly autoStart?: boolean;
  /** Extra `ws` options (e.g. `ca` for a wss gateway). */
  readonly wsOptions?: ClientOptions;
  /** Clock for media deadlines and playback. Default: performance.now() and real timers. */
  readonly clock?: TwilioClock;
}

export interface TwilioSendAudioOptions {
  /** `true` (default): one frame per 20 ms on deadlines; `false`: all at once, timestamps still 20 ms apart. */
  readonly realtime?: boolean;
  /** Stops sending quietly (an abort is not an error). */
  readonly signal?: AbortSignal;
}

export interface TwilioReceivedFrame {
  readonly at: number;
  readonly binary: boolean;
  /** The text (undefined for binary frames). */
  readonly text: string | undefined;
  /** The decoded frame when it passed every check. */
  readonly frame: GatewayFrame | undefined;
}

export interface TwilioMarkRecord {
  readonly name: string;
  readonly receivedAt: number;
  /** When the echo was sent back; undefined while its audio is still buffered. */
  echoedAt: number | undefined;
  /** true: echoed because `clear` dropped the audio ahead of it (not played). */
  flushed: boolean | undefined;
}

export interface TwilioViolation extends GatewayFrameViolation {
  readonly at: number;
  /** The first 200 characters of the offending frame. */
  readonly frame: string;
}

export interface TwilioCloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** The gateway refused the WebSocket upgrade. */
export class FakeTwilioUpgradeError extends Error {
  override readonly name = 'FakeTwilioUpgradeError';
  constructor(readonly statusCode: number) {
    super(`gateway refused the media stream upgrade with HTTP ${statusCode}`);
  }
}
