import { DeepgramClient } from '@deepgram/sdk';
import { classifyFailure, SttError } from '../errors';
import { connectArgs, type DeepgramSettings } from './deepgram-options';
import { WsTransport } from './ws-transport';

export const PROVIDER = 'deepgram';

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  /** True when we started the close (finish, stop); false when the server or the network did. */
  readonly byUs: boolean;
  /** True when CloseStream had been sent: a 1000 close then is the normal end of the stream. */
  readonly afterFinish: boolean;
}

type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;

/**
 * One Deepgram live socket, opened through the SDK (`listen.v1.connect`, SDK reconnect off). Owns the KeepAlive timer:
 * a KeepAlive text frame goes out whenever nothing was sent for `keepAliveIntervalMs`, i.e. while caller audio is not
 * flowing (https://developers.deepgram.com/docs/audio-keep-alive: every 3–5 s, as text, or NET-0001 closes the stream).
 */
export class DeepgramConnection {
  readonly closed: Promise<CloseInfo>;
  private closing = false;
  private finished = false;
  private readonly keepAlive: NodeJS.Timeout;

  private constructor(
    private readonly socket: ListenSocket,
    private readonly transport: WsTransport,
    s: DeepgramSettings,
  ) {
    this.keepAlive = setTimeout(() => this.sendKeepAlive(), s.keepAliveIntervalMs);
    this.closed = transport.closed.then(({ code, reason }) => {
      clearTimeout(this.keepAlive);
      return { code, reason, byUs: this.closing, afterFinish: this.finished };
    });
  }

  /** Opens a socket; throws a classified SttError when the upgrade is refused or the connection fails. */
  static async open(s: DeepgramSettings, onMessage: (m: unknown) => void, signal: AbortSignal): Promise<DeepgramConnection> {
    let transport: WsTransport | undefined;
    const client = new DeepgramClient({
      apiKey: s.apiKey,
      baseUrl: s.baseUrl,
      transportFactory: (url, headers, request) =>
        (transport = new WsTransport(url, headers, request.protocols, {
          handshakeTimeoutMs: s.connectTimeoutMs,
          closeTimeoutMs: s.closeTimeoutMs,
        })),
    });
    let socket: ListenSocket;
    try {
      socket = await client.listen.v1.connect(connectArgs(s));
    } catch (cause) {
      // The SDK validates arguments before any I/O (e.g. `keywords` with nova-3): a configuration error.
      throw new SttError('STT_BAD_REQUEST', `${PROVIDER}: invalid connect options`, { provider: PROVIDER, retryable: false, cause });
    }
    socket.on('message', onMessage);
    socket.on('error', () => undefined); // failures are read from our transport, which keeps status codes
    socket.connect(); // the SDK calls the factory synchronously here
    const t = transport;
    if (!t) throw new SttError('STT_PROTOCOL', `${PROVIDER}: SDK did not create a transport`, { provider: PROVIDER, retryable: false });

    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([t.opened.then(() => 'open' as const), t.closed, aborted]);
      if (outcome === 'open') return new DeepgramConnection(socket, t, s);
      t.terminate();
      socket.close();
      if (outcome === 'aborted') {
        throw new SttError('STT_CONNECTION_LOST', `${PROVIDER}: connect aborted`, { provider: PROVIDER, retryable: false });
      }
      const refusal = t.refusal;
      if (refusal) {
        return Promise.reject(
          classifyFailure({ status: refusal.status, reason: refusal.dgError, retryAfterMs: refusal.retryAfterMs }, PROVIDER),
        );
      }
      throw classifyFailure(
        { closeCode: outcome.code, reason: outcome.reason || undefined, timeout: t.timedOut },
        PROVIDER,
        t.failure,
      );
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  get isOpen(): boolean {
    return !this.closing && !this.finished && this.transport.isOpen();
  }

  /** Caller audio as one binary frame. Zero-length frames are never sent (Deepgram reads one as a close). */
  sendAudio(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.send(() => this.socket.sendMedia(bytes))) this.keepAlive.refresh();
  }

  private sendKeepAlive(): void {
    if (this.send(() => this.socket.sendKeepAlive({ type: 'KeepAlive' }))) this.keepAlive.refresh();
  }

  /**
   * Sends when open. A socket closing under us makes the SDK throw "Socket is not open"; that is not an error to
   * raise here (this also runs in a timer): the close itself is reported through `closed`.
   */
  private send(fn: () => void): boolean {
    if (!this.isOpen) return false;
    try {
      fn();
      return true;
    } catch {
      return false;
    }
  }

  /** Finalize (flush pending audio), then CloseStream (final results + Metadata, then the server closes). */
  finish(): void {
    this.send(() => {
      this.socket.sendFinalize({ type: 'Finalize' });
      this.socket.sendCloseStream({ type: 'CloseStream' });
    });
    this.finished = true;
    clearTimeout(this.keepAlive);
  }

  /** Closes our side (code 1000) and waits, bounded by closeTimeoutMs inside the transport, until it is gone. */
  async close(): Promise<CloseInfo> {
    this.closing = true;
    clearTimeout(this.keepAlive);
    this.socket.close();
    this.transport.close(1000);
    return this.closed;
  }
}
