import { MULAW_8K, type Transcoder, createTranscoder, pcm16Format } from '@voice/audio-codec';
import type { WebSocket } from 'ws';
import type { CallLink } from '../call/call-link';

/** The softphone's audio format, both ways (the browser captures and plays PCM16 at 16 kHz). */
export const BROWSER_FORMAT = pcm16Format(16000);

/**
 * The browser softphone as a CallLink. The pacer's μ-law 8 kHz frames are turned into PCM16 16 kHz binary messages
 * (640 bytes per 20 ms), marks and clears into small JSON messages in the same order on the same socket, so the
 * page can echo a mark once the audio before it has played, as Twilio does
 * (https://www.twilio.com/docs/voice/media-streams/websocket-messages).
 */
export class BrowserLink implements CallLink {
  private readonly up: Transcoder = createTranscoder(MULAW_8K, BROWSER_FORMAT);

  constructor(private readonly ws: WebSocket) {}

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  sendMedia(frame: Uint8Array): void {
    this.assertOpen();
    const pcm = this.up.process(frame);
    if (pcm.length > 0) this.ws.send(pcm, { binary: true });
  }

  sendMark(name: string): void {
    this.assertOpen();
    this.ws.send(JSON.stringify({ type: 'mark', name }));
  }

  sendClear(): void {
    // The resampler's few samples of history belong to the cleared reply (its ≈2 ms delay; resampler.ts).
    this.up.reset();
    if (this.isOpen) this.ws.send('{"type":"clear"}');
  }

  /** A JSON event for the page (transcripts, latency); dropped when the socket is gone. */
  sendEvent(event: Record<string, unknown>): void {
    if (this.isOpen) this.ws.send(JSON.stringify(event));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  private assertOpen(): void {
    if (!this.isOpen) throw new Error('browser socket is not open');
  }
}
