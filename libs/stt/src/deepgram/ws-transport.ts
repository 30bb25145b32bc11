import type { DeepgramTransport, DeepgramTransportCloseEvent, DeepgramTransportMessage } from '@deepgram/sdk';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { parseRetryAfter } from '../errors';

/** What the server answered to the upgrade when it refused it (Deepgram sends `dg-error` + JSON body). */
export interface UpgradeRefusal {
  readonly status: number;
  readonly dgError?: string;
  readonly retryAfterMs?: number;
}

export interface WsTransportOptions {
  readonly handshakeTimeoutMs: number;
  /** How long `close()` waits for the server's close frame before destroying the socket. */
  readonly closeTimeoutMs: number;
}

/**
 * The SDK's `transportFactory` client option (@deepgram/sdk 5), implemented on the same `ws` package the SDK would use.
 * We own it because the SDK's default transport reports a refused upgrade only as the text
 * "Unexpected server response: 429" and drops the `dg-error` / `retry-after` headers; here the HTTP status
 * and headers are kept, so 401 and 429 are told apart without matching message text.
 */
export class WsTransport implements DeepgramTransport {
  refusal: UpgradeRefusal | undefined;
  /** Set when the socket failed (network error, reset). */
  failure: Error | undefined;
  /** Set when the upgrade did not complete within handshakeTimeoutMs. */
  timedOut = false;
  readonly opened: Promise<void>;
  /** Resolves once the socket is fully closed, with the close code and reason seen. */
  readonly closed: Promise<DeepgramTransportCloseEvent & { code: number; reason: string }>;

  private readonly ws: WebSocket;
  private readonly listeners = {
    open: [] as Array<() => void>,
    message: [] as Array<(m: DeepgramTransportMessage) => void>,
    error: [] as Array<(e: Error) => void>,
    close: [] as Array<(e: DeepgramTransportCloseEvent) => void>,
  };
  private killTimer: NodeJS.Timeout | undefined;
  private readonly connectTimer: NodeJS.Timeout;

  constructor(url: string, headers: Record<string, string>, protocols: string[], private readonly o: WsTransportOptions) {
    this.ws = new WebSocket(url, protocols, { headers, maxPayload: 1 << 20 });
    this.connectTimer = setTimeout(() => {
      this.timedOut = true;
      this.ws.terminate();
    }, o.handshakeTimeoutMs);
    this.opened = new Promise((resolve) =>
      this.ws.once('open', () => {
        clearTimeout(this.connectTimer);
        resolve();
      }),
    );
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => {
        clearTimeout(this.connectTimer);
        clearTimeout(this.killTimer);
        resolve({ code, reason: reason.toString() });
      }),
    );
    this.ws.on('unexpected-response', (_req, res: IncomingMessage) => this.onRefused(res));
    this.ws.on('open', () => this.listeners.open.forEach((l) => l()));
    this.ws.on('message', (data, isBinary) => {
      const m: DeepgramTransportMessage = isBinary ? toArrayBuffer(data) : data.toString();
      this.listeners.message.forEach((l) => l(m));
    });
    this.ws.on('error', (err) => {
      this.failure ??= err;
      this.listeners.error.forEach((l) => l(err));
    });
    this.ws.on('close', (code, reason) => this.listeners.close.forEach((l) => l({ code, reason: reason.toString() })));
  }

  private onRefused(res: IncomingMessage): void {
    const header = (name: string): string | undefined => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    this.refusal = {
      status: res.statusCode ?? 0,
      dgError: header('dg-error'),
      retryAfterMs: parseRetryAfter(header('retry-after')),
    };
    res.resume();
    // With an 'unexpected-response' listener ws leaves the request to us; terminate() aborts it and emits
    // 'error' + 'close' (ws lib/websocket.js abortHandshake).
    this.ws.terminate();
  }

  send(data: DeepgramTransportMessage): void {
    if (typeof data === 'string') this.ws.send(data);
    else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) this.ws.send(data, { binary: true });
    else throw new TypeError('Blob payloads are not used by @voice/stt');
  }

  onOpen(l: () => void): void {
    this.listeners.open.push(l);
  }
  onMessage(l: (m: DeepgramTransportMessage) => void): void {
    this.listeners.message.push(l);
  }
  onError(l: (e: Error) => void): void {
    this.listeners.error.push(l);
  }
  onClose(l: (e: DeepgramTransportCloseEvent) => void): void {
    this.listeners.close.push(l);
  }

  isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Starts the close handshake; destroys the socket if the server does not answer within closeTimeoutMs. */
  close(code = 1000, reason = ''): void {
    const state = this.ws.readyState;
    if (state === WebSocket.CLOSED) return;
    if (state === WebSocket.CONNECTING) {
      this.ws.terminate();
      return;
    }
    if (state === WebSocket.OPEN) {
      // A close reason is limited to 123 bytes (RFC 6455 §5.5); the SDK passes error messages here.
      this.ws.close(code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000, reason.slice(0, 100));
    }
    this.killTimer ??= setTimeout(() => this.ws.terminate(), this.o.closeTimeoutMs);
  }

  terminate(): void {
    this.ws.terminate();
  }
}

function toArrayBuffer(data: WebSocket.RawData): ArrayBuffer {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
