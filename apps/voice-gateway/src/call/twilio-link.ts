import { serializeClear, serializeMark, serializeMedia } from '@voice/twilio-protocol';
import type { WebSocket } from 'ws';
import type { CallLink } from './call-link';

/**
 * A Twilio media stream as a CallLink: template-string JSON (twilio-protocol, ≈4× cheaper than JSON.stringify) on
 * the socket. Throws when the socket is not open, which makes the pacer close this stream instead of serializing
 * 50 frames a second into a dead socket.
 */
export class TwilioLink implements CallLink {
  constructor(
    private readonly ws: WebSocket,
    private readonly streamSid: string,
  ) {}

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  sendMedia(frame: Uint8Array): void {
    this.assertOpen();
    this.ws.send(serializeMedia(this.streamSid, frame));
  }

  sendMark(name: string): void {
    this.assertOpen();
    this.ws.send(serializeMark(this.streamSid, name));
  }

  /**
   * Twilio empties its playback buffer and echoes every pending mark
   * (https://www.twilio.com/docs/voice/media-streams/websocket-messages).
   */
  sendClear(): void {
    if (this.isOpen) this.ws.send(serializeClear(this.streamSid));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  private assertOpen(): void {
    if (!this.isOpen) throw new Error('twilio socket is not open');
  }
}
