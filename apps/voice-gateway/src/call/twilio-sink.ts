import type { MediaSink } from '@voice/pacer';
import { serializeClear, serializeMark, serializeMedia } from '@voice/twilio-protocol';
import type { WebSocket } from 'ws';

export interface SinkHooks {
  onFrame(): void;
  onMarkSent(name: string): void;
}

/**
 * The pacer's output for one call: template-string JSON (twilio-protocol, ≈4× cheaper than JSON.stringify) on
 * the Twilio socket. Throws when the socket is not open, which makes the pacer close this stream instead of
 * serializing 50 frames a second into a dead socket.
 */
export class TwilioSink implements MediaSink {
  constructor(
    private readonly ws: WebSocket,
    private readonly streamSid: string,
    private readonly hooks: SinkHooks,
  ) {}

  sendMedia(frame: Uint8Array): void {
    this.assertOpen();
    this.ws.send(serializeMedia(this.streamSid, frame));
    this.hooks.onFrame();
  }

  sendMark(name: string): void {
    this.assertOpen();
    this.ws.send(serializeMark(this.streamSid, name));
    this.hooks.onMarkSent(name);
  }

  /** Twilio empties its playback buffer and echoes every pending mark (protocols.md §1.4). */
  sendClear(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(serializeClear(this.streamSid));
  }

  private assertOpen(): void {
    if (this.ws.readyState !== this.ws.OPEN) throw new Error('twilio socket is not open');
  }
}
