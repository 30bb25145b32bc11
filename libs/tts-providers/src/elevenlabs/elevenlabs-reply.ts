import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import WebSocket, { type RawData } from 'ws';
import { SentenceStream } from '../sentence-stream';
import { classifyFailure, parseRetryAfter, protocolError, type TtsError, type WireFailure } from '../tts-error';

export interface ReplyOptions {
  readonly provider: string;
  /** Full `stream-input` URL with its query. */
  readonly url: string;
  readonly apiKey: string;
  /** Extra fields of the BOS message (voice_settings, generation_config). */
  readonly bos: Readonly<Record<string, unknown>>;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly keepAliveMs: number;
  readonly idleCloseMs: number;
  readonly settleMs: number;
  readonly logger?: Logger;
  readonly onRetired: (reply: ElevenLabsReply) => void;
}

interface PendingSentence {
  readonly stream: SentenceStream;
  /** Non-space characters sent up to and including this sentence. */
  readonly target: number;
  readonly last: boolean;
}

const nonSpace = (s: string): number => s.replace(/\s+/g, '').length;

/** ElevenLabs says "wrong key" only in a close reason, and "idle too long" the same way (stream-input reference). */
function closeFailure(code: number, reason: string): WireFailure {
  return { closeCode: code, reason: reason || undefined, authRejected: /invalid_api_key|unauthori[sz]ed/i.test(reason), timeout: code === 1008 && /timeout/i.test(reason) };
}

/**
 * One reply on one `stream-input` socket
 * (https://elevenlabs.io/docs/api-reference/text-to-speech/v-1-text-to-speech-voice-id-stream-input):
 * BOS `{"text":" "}` on open, each sentence as `{"text": "<sentence> ", "flush": true}`, EOS `{"text":""}` after the
 * last one, `" "` keepalives while idle, and never an empty text otherwise.
 *
 * Sentence bookkeeping: stream-input has no per-flush completion message, so a sentence ends when the `alignment`
 * characters received reach the non-space characters sent up to it; the last sentence ends at `isFinal`. When a
 * chunk comes without alignment, a sentence ends after `settleMs` without audio instead.
 */
export class ElevenLabsReply {
  private readonly sentences: PendingSentence[] = [];
  private state: 'open' | 'ending' | 'retired' = 'open';
  private sentChars = 0;
  private receivedChars = 0;
  private orphan: Uint8Array[] = [];
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private settle: ReturnType<typeof setTimeout> | undefined;
  private lastSend = Date.now();

  private constructor(
    private readonly ws: WebSocket,
    private readonly o: ReplyOptions,
  ) {
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString()));
    this.keepAlive = setInterval(() => {
      if (Date.now() - this.lastSend >= o.keepAliveMs) this.send({ text: ' ' });
    }, Math.max(10, Math.floor(o.keepAliveMs / 2)));
    this.armIdle();
  }

  static open(o: ReplyOptions): Promise<ElevenLabsReply> {
    return new Promise((resolve, reject) => {
      let upgrade: WireFailure | undefined;
      // The key goes in the header only: never in the URL or the BOS body, where logs could catch it.
      const ws = new WebSocket(o.url, { headers: { 'xi-api-key': o.apiKey } });
      const fail = (e: unknown, f: WireFailure): void => {
        cleanup();
        reject(classifyFailure(f, o.provider, e));
      };
      const onUnexpected = (_req: ClientRequest, res: IncomingMessage): void => {
        upgrade = { status: res.statusCode, retryAfterMs: parseRetryAfter(res.headers['retry-after']), reason: 'WebSocket upgrade refused' };
        res.resume();
        ws.terminate();
      };
      const onError = (e: Error): void => fail(e, upgrade ?? { reason: 'could not open the WebSocket' });
      // One timer for TCP connect and upgrade alike (ws's handshakeTimeout would report it as a plain error).
      const timer = setTimeout(() => {
        fail(undefined, { timeout: true, reason: `no WebSocket upgrade within ${o.connectTimeoutMs} ms` });
        ws.terminate();
      }, o.connectTimeoutMs);
      const onOpen = (): void => {
        cleanup();
        const reply = new ElevenLabsReply(ws, o);
        reply.send({ text: ' ', ...o.bos });
        resolve(reply);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        ws.off('open', onOpen);
        ws.off('error', onError);
        ws.off('unexpected-response', onUnexpected);
        ws.on('error', () => undefined); // later socket errors arrive as a close
      };
      ws.on('open', onOpen);
      ws.on('error', onError);
      ws.on('unexpected-response', onUnexpected);
    });
  }

  get usable(): boolean {
    return this.state === 'open' && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one sentence (and EOS after the last); the stream yields exactly that sentence's audio. */
  speak(text: string, last: boolean): SentenceStream {
    const stream = new SentenceStream(this.o.responseTimeoutMs, () => this.timedOut());
    if (!this.usable) {
      stream.fail(classifyFailure({ reason: 'the reply socket is no longer open' }, this.o.provider));
      return stream;
    }
    this.armIdle();
    const t = text.trim();
    if (t !== '') {
      this.sentChars += nonSpace(t);
      // "text should always end with a single space"; flush forces generation of what is buffered.
      this.send({ text: `${t} `, flush: true });
    }
    this.sentences.push({ stream, target: this.sentChars, last });
    if (this.sentences.length === 1) stream.activate();
    for (const data of this.orphan.splice(0)) stream.push(data);
    if (last) {
      this.send({ text: '' }); // EOS: intentional, once
      this.state = 'ending';
    }
    this.completeReached();
    return stream;
  }

  /** Barge-in: close the socket without EOS; open sentences end quietly and nothing more is delivered. */
  cancel(): void {
    if (this.state === 'retired') return;
    for (const s of this.sentences.splice(0)) s.stream.end();
    this.retire();
    this.ws.close(1000, 'cancelled');
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'retired') return;
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = isBinary ? undefined : JSON.parse(String(data));
      if (typeof parsed !== 'object' || parsed === null) throw new SyntaxError('not a JSON object');
      msg = parsed as Record<string, unknown>;
    } catch (e) {
      this.o.logger?.warn({ provider: this.o.provider }, 'elevenlabs: malformed frame, closing the socket');
      this.failAll(protocolError(this.o.provider, 'received a frame that is not JSON', e));
      this.ws.terminate();
      return;
    }
    if (typeof msg['audio'] === 'string' && msg['audio'] !== '') this.onAudio(msg);
    else if (msg['error'] !== undefined && msg['error'] !== null) {
      // Not in the asyncapi spec, but seen in the wild: {"message": ..., "error": ..., "code": 1008}.
      const reason = [msg['error'], msg['message']].filter((x) => typeof x === 'string').join(': ');
      const code = typeof msg['code'] === 'number' ? msg['code'] : undefined;
      this.failAll(classifyFailure({ ...closeFailure(code ?? 0, reason), closeCode: code }, this.o.provider));
      this.ws.close(1000);
      return;
    }
    if (msg['isFinal'] === true) this.finish();
  }

  private onAudio(msg: Record<string, unknown>): void {
    const audio = Buffer.from(msg['audio'] as string, 'base64');
    const head = this.sentences[0];
    if (head) head.stream.push(audio);
    else this.orphan.push(audio); // e.g. trailing silence before the next sentence is sent
    const alignment = (msg['alignment'] ?? msg['normalizedAlignment']) as { chars?: unknown } | null | undefined;
    if (Array.isArray(alignment?.chars)) {
      this.receivedChars += nonSpace(alignment.chars.join(''));
      this.completeReached();
    } else if (head && !head.last) {
      if (this.settle !== undefined) clearTimeout(this.settle);
      this.settle = setTimeout(() => {
        this.settle = undefined;
        if (this.sentences[0] === head) this.shift();
      }, this.o.settleMs);
    }
  }

  /** Ends every non-last sentence whose characters have all been spoken. */
  private completeReached(): void {
    for (let head = this.sentences[0]; head && !head.last && this.receivedChars >= head.target; head = this.sentences[0]) {
      // A sentence with no characters (an empty one) completes at once only when audio has caught up to it.
      this.shift();
    }
  }

  private shift(): void {
    this.sentences.shift()?.stream.end();
    this.sentences[0]?.stream.activate();
  }

  private finish(): void {
    for (const s of this.sentences.splice(0)) s.stream.end();
    this.retire();
  }

  private onClose(code: number, reason: string): void {
    if (this.state === 'ending' && code === 1000) this.finish();
    else this.failAll(classifyFailure(closeFailure(code, reason), this.o.provider));
    this.retire();
  }

  private failAll(error: TtsError): void {
    for (const s of this.sentences.splice(0)) s.stream.fail(error);
    this.retire();
  }

  private timedOut(): TtsError {
    const error = classifyFailure({ timeout: true, reason: `no audio for ${this.o.responseTimeoutMs} ms` }, this.o.provider);
    for (const s of this.sentences.splice(1)) s.stream.fail(error);
    this.sentences.length = 0;
    this.retire();
    this.ws.close(1000, 'timeout');
    return error;
  }

  private send(message: Record<string, unknown>): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.state !== 'open') return; // nothing after EOS or cancel
    this.lastSend = Date.now();
    this.ws.send(JSON.stringify(message));
  }

  private armIdle(): void {
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      // A reply that never got its last sentence: release the socket (keepalives would hold it forever).
      if (this.sentences.length === 0) this.cancel();
      else this.armIdle();
    }, this.o.idleCloseMs);
  }

  private retire(): void {
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    if (this.idle !== undefined) clearTimeout(this.idle);
    if (this.settle !== undefined) clearTimeout(this.settle);
    this.keepAlive = this.idle = this.settle = undefined;
    if (this.state === 'retired') return;
    this.state = 'retired';
    this.o.onRetired(this);
  }
}
