import type Cartesia from '@cartesia/cartesia-js';
import type { WebsocketClientEvent, WebsocketResponse } from '@cartesia/cartesia-js/resources/tts';
import { TTSWS } from '@cartesia/cartesia-js/resources/tts/ws';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { ClientOptions, WebSocket } from 'ws';
import { classifyFailure, parseRetryAfter, protocolError, type TtsError } from '../tts-error';

/** One context's share of a socket: the socket routes its frames and failures here. */
export interface ContextRoute {
  onEvent(event: WebsocketResponse): void;
  onFailure(error: TtsError): void;
}

export interface CartesiaSocketOptions {
  readonly provider: string;
  /** `ws` client options passed through the SDK (TLS `ca`, `rejectUnauthorized`, headers such as Cartesia-Version). */
  readonly ws: ClientOptions;
  readonly connectTimeoutMs: number;
  readonly logger?: Logger;
}

const OPEN = 1;

/**
 * One Cartesia TTS WebSocket, opened through the SDK's `TTSWS` (so the SDK builds the URL, auth and version headers)
 * and multiplexing contexts by `context_id`. Frames for unknown contexts (a cancelled context whose generation was
 * already running, https://docs.cartesia.ai/2026-03-01/api-reference/tts/websocket) are dropped here.
 *
 * We construct `TTSWS` ourselves instead of `client.tts.websocket()` so that our `error` listener exists before the
 * handshake can fail (the SDK turns an error with no listener into an unhandled rejection), and we catch the
 * upgrade's HTTP status through `ws`'s `unexpected-response` (via `finishRequest`) instead of parsing a message.
 */
export class CartesiaSocket {
  private readonly routes = new Map<string, ContextRoute>();
  private closed = false;
  private dropped = 0;

  private constructor(
    private readonly tts: TTSWS,
    private readonly o: CartesiaSocketOptions,
  ) {}

  static async open(client: Cartesia, o: CartesiaSocketOptions): Promise<CartesiaSocket> {
    let upgrade: { status: number; retryAfterMs?: number } | undefined;
    const tts = new TTSWS(client, {
      ...o.ws,
      finishRequest: (req: ClientRequest, ws: WebSocket) => {
        ws.once('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
          upgrade = { status: res.statusCode ?? 0, retryAfterMs: parseRetryAfter(res.headers['retry-after']) };
          res.resume();
          ws.terminate(); // fails the handshake: the SDK's connect() rejects
        });
        req.end();
      },
    });
    const socket = new CartesiaSocket(tts, o);
    tts.on('error', (err) => socket.onSdkError(err));
    tts.on('event', (event) => socket.onEvent(event));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), o.connectTimeoutMs)));
    try {
      const connecting = tts.connect().then(() => 'open' as const);
      connecting.catch(() => undefined); // after a timeout nobody awaits it; its rejection must not go unhandled
      const result = await Promise.race([connecting, timedOut]);
      if (result === 'timeout') {
        socket.close();
        throw classifyFailure({ timeout: true, reason: `no WebSocket upgrade within ${o.connectTimeoutMs} ms` }, o.provider);
      }
    } catch (e) {
      socket.closed = true;
      if (upgrade) throw classifyFailure({ status: upgrade.status, retryAfterMs: upgrade.retryAfterMs, reason: 'WebSocket upgrade refused' }, o.provider, e);
      if ((e as { code?: string } | undefined)?.code === 'TTS_TIMEOUT') throw e;
      throw classifyFailure({ reason: 'could not open the WebSocket' }, o.provider, e);
    } finally {
      clearTimeout(timer);
    }
    tts.socket.addEventListener('close', (ev: { code: number; reason: string }) => socket.onClose(ev.code, ev.reason));
    return socket;
  }

  /** Open and usable: the SDK would silently reconnect a closed socket on send, which we never let it do. */
  get isOpen(): boolean {
    return !this.closed && this.tts.socket.readyState === OPEN;
  }

  route(contextId: string, route: ContextRoute): void {
    this.routes.set(contextId, route);
  }

  unroute(contextId: string): void {
    this.routes.delete(contextId);
  }

  /** Sends one frame; false when the socket is no longer open (the caller fails its sentence). */
  send(event: WebsocketClientEvent): boolean {
    if (!this.isOpen) return false;
    // isOpen was checked in this same tick, so the SDK's send() finds the socket open and does not reconnect;
    // it reports write errors through its error event, and a dead socket through the close event.
    this.tts.send(event).catch(() => undefined);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.tts.close({ code: 1000, reason: 'client closing' });
    this.failAll(classifyFailure({ closeCode: 1000, reason: 'closed by the client' }, this.o.provider));
  }

  private onEvent(event: WebsocketResponse): void {
    const id = (event as { context_id?: string }).context_id;
    if (id === undefined && event.type === 'error') {
      // An error frame without a context (the 2026-03-01 docs do not promise the field): it hits every context.
      const e = event as { status_code?: number; title?: string; message?: string; error_code?: string };
      return this.failAll(classifyFailure({ status: e.status_code, reason: [e.error_code, e.message ?? e.title].filter(Boolean).join(': ') }, this.o.provider));
    }
    const route = id === undefined ? undefined : this.routes.get(id);
    if (route) route.onEvent(event);
    else if (event.type === 'chunk') {
      this.dropped += 1;
      this.o.logger?.debug({ contextId: id, dropped: this.dropped }, 'cartesia: dropped a chunk of a cancelled or unknown context');
    }
  }

  private onSdkError(err: Error & { error?: unknown; cause?: unknown }): void {
    if (err.error !== undefined) return; // an error frame: already routed by onEvent
    if (err.cause instanceof SyntaxError) {
      // A frame that is not JSON: we cannot tell whose it was or what state the socket is in.
      this.o.logger?.warn({ provider: this.o.provider }, 'cartesia: malformed frame, closing the socket');
      this.failAll(protocolError(this.o.provider, 'received a frame that is not JSON', err.cause));
      this.close();
    }
    // Socket errors are followed by a close event, handled in onClose.
  }

  private onClose(code: number, reason: string): void {
    this.closed = true;
    this.failAll(classifyFailure({ closeCode: code, reason: reason || 'socket closed' }, this.o.provider));
  }

  private failAll(error: TtsError): void {
    const routes = [...this.routes.values()];
    this.routes.clear();
    for (const r of routes) r.onFailure(error);
  }
}
