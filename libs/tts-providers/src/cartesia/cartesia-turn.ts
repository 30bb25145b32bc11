import type { WebsocketResponse } from '@cartesia/cartesia-js/resources/tts';
import type { Logger } from 'pino';
import { SentenceStream } from '../sentence-stream';
import { classifyFailure, type TtsError } from '../tts-error';
import type { CartesiaSocket, ContextRoute } from './cartesia-socket';

/**
 * The request fields every input of a context repeats unchanged
 * (https://docs.cartesia.ai/2026-03-01/api-reference/tts/websocket).
 */
export interface CartesiaGenerationFields {
  readonly model_id: string;
  readonly voice: { readonly mode: 'id'; readonly id: string };
  readonly output_format: { readonly container: 'raw'; readonly encoding: 'pcm_mulaw'; readonly sample_rate: 8000 };
  readonly language?: string;
  readonly max_buffer_delay_ms?: number;
}

export interface CartesiaTurnOptions {
  readonly provider: string;
  readonly fields: CartesiaGenerationFields;
  readonly responseTimeoutMs: number;
  readonly logger?: Logger;
  /** Called once the turn can take no more sentences (done, failed, cancelled). */
  readonly onRetired: (turn: CartesiaTurn) => void;
}

type TurnState = 'open' | 'ending' | 'retired';

/**
 * One reply = one Cartesia context. Each sentence is sent as `{transcript, continue: true}` followed by a manual
 * flush (`{transcript: "", continue: true, flush: true}`); the last one as `{transcript, continue: false}`.
 *
 * Sentence bookkeeping: outputs on a context arrive in input order
 * (https://docs.cartesia.ai/2026-03-01/api-reference/tts/websocket), so chunks belong to the oldest sentence still
 * open; its `flush_done` (or the context's `done` for the last sentence) closes it and the next sentence becomes the
 * head. We never depend on `flush_id` values.
 */
export class CartesiaTurn implements ContextRoute {
  private readonly sentences: SentenceStream[] = [];
  private state: TurnState = 'open';
  private lastActivity = Date.now();

  constructor(
    readonly turnId: string,
    readonly contextId: string,
    private readonly socket: CartesiaSocket,
    private readonly o: CartesiaTurnOptions,
  ) {
    socket.route(contextId, this);
  }

  /** Still accepting sentences on this socket, and recently active enough that Cartesia keeps the context. */
  usable(socket: CartesiaSocket, maxIdleMs: number): boolean {
    return this.state === 'open' && this.socket === socket && socket.isOpen && Date.now() - this.lastActivity <= maxIdleMs;
  }

  /** Queues one sentence and sends it; the returned stream yields exactly that sentence's audio. */
  speak(text: string, last: boolean): SentenceStream {
    const stream = new SentenceStream(this.o.responseTimeoutMs, () => this.timedOut());
    if (this.state !== 'open') {
      stream.fail(classifyFailure({ reason: 'the reply context is no longer open' }, this.o.provider));
      return stream;
    }
    this.sentences.push(stream);
    if (this.sentences.length === 1) stream.activate();
    // Inputs of one context are concatenated verbatim, so a sentence that is not the last keeps a trailing space.
    const transcript = last || text === '' || /\s$/.test(text) ? text : `${text} `;
    const base = { ...this.o.fields, context_id: this.contextId };
    const sent = last
      ? this.socket.send({ ...base, transcript, continue: false })
      : this.socket.send({ ...base, transcript, continue: true }) && this.socket.send({ ...base, transcript: '', continue: true, flush: true });
    this.lastActivity = Date.now();
    if (last) this.state = 'ending';
    if (!sent) this.fail(classifyFailure({ reason: 'the socket closed before the sentence was sent' }, this.o.provider));
    return stream;
  }

  /** Barge-in: tell Cartesia to cancel, drop whatever it still sends for this context, end open sentences quietly. */
  cancel(): void {
    if (this.state === 'retired') return;
    this.socket.unroute(this.contextId);
    // Cancel "only halt[s] requests that have not begun generating"; late chunks then hit no route and are dropped.
    this.socket.send({ context_id: this.contextId, cancel: true });
    for (const s of this.sentences.splice(0)) s.end();
    this.retire();
  }

  onEvent(event: WebsocketResponse): void {
    this.lastActivity = Date.now();
    const head = this.sentences[0];
    switch (event.type) {
      case 'chunk': {
        const audio = event.audio ?? Buffer.from(event.data, 'base64');
        if (head) head.push(audio);
        else this.o.logger?.warn({ contextId: this.contextId }, 'cartesia: audio with no sentence pending, dropped');
        if (event.done) this.finish();
        return;
      }
      case 'flush_done':
        this.sentences.shift()?.end();
        this.sentences[0]?.activate();
        return;
      case 'done':
        return this.finish();
      case 'error': {
        const e = event as { status_code?: number; error_code?: string; title?: string; message?: string; error?: string };
        const reason = [e.error_code, e.message ?? e.title ?? e.error].filter(Boolean).join(': ');
        return this.fail(classifyFailure({ status: e.status_code, reason }, this.o.provider));
      }
      default:
        return; // timestamps, phoneme_timestamps
    }
  }

  onFailure(error: TtsError): void {
    this.fail(error);
  }

  private finish(): void {
    for (const s of this.sentences.splice(0)) s.end();
    this.socket.unroute(this.contextId);
    this.retire();
  }

  private fail(error: TtsError): void {
    for (const s of this.sentences.splice(0)) s.fail(error);
    this.socket.unroute(this.contextId);
    this.retire();
  }

  private timedOut(): TtsError {
    const error = classifyFailure({ timeout: true, reason: `no audio frame for ${this.o.responseTimeoutMs} ms` }, this.o.provider);
    // The head sentence fails with this error; the context cannot be trusted any more.
    this.socket.unroute(this.contextId);
    this.socket.send({ context_id: this.contextId, cancel: true });
    for (const s of this.sentences.splice(1)) s.fail(error);
    this.sentences.length = 0;
    this.retire();
    return error;
  }

  private retire(): void {
    if (this.state === 'retired') return;
    this.state = 'retired';
    this.o.onRetired(this);
  }
}
