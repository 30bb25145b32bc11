import Cartesia from '@cartesia/cartesia-js';
import { type AudioChunk, type AudioFormat, MULAW_8K } from '@voice/audio-codec';
import type { Logger } from 'pino';
import { untilAborted } from '../abort';
import { retryBeforeAudio, retryPolicy, type RetryPolicy } from '../retry';
import { TtsError } from '../tts-error';
import type { ClosableTtsProvider, SynthesizeOptions, TurnContext } from '../types';
import { CartesiaSocket } from './cartesia-socket';
import { type CartesiaGenerationFields, CartesiaTurn } from './cartesia-turn';

export interface CartesiaTtsOptions {
  readonly apiKey: string;
  /** Cartesia voice id (`voice: { mode: 'id', id }`). */
  readonly voiceId: string;
  /** Default `sonic-3`. */
  readonly model?: string;
  /** Default `en`. */
  readonly language?: string;
  /** Default `https://api.cartesia.ai` (the SDK turns it into `wss://…/tts/websocket` whatever the scheme). */
  readonly baseUrl?: string;
  /** `Cartesia-Version` header; default: the SDK's own (2026-08-14 in 4.2.0). */
  readonly cartesiaVersion?: string;
  /** Server-side text buffering; default 0, since every sentence is flushed as soon as it is sent anyway. */
  readonly maxBufferDelayMs?: number;
  /** Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Fail the sentence with TTS_TIMEOUT when its context sends nothing for this long (default 5000 ms). */
  readonly responseTimeoutMs?: number;
  /**
   * Start a fresh context when the reply's context saw no traffic for this long (default 1000 ms): newer Cartesia docs
   * expire a context "1 second after the last output", older ones 5 s after the last input
   * (https://docs.cartesia.ai/use-the-api/concurrency-limits-and-timeouts).
   */
  readonly contextIdleMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** TLS for the socket, e.g. `{ ca }` to trust a test certificate. Default: the system trust store. */
  readonly tls?: { readonly ca?: string | Buffer; readonly rejectUnauthorized?: boolean };
  readonly logger?: Logger;
  /** Default `cartesia`. */
  readonly name?: string;
}

/**
 * Cartesia Sonic over the TTS WebSocket, through @cartesia/cartesia-js 4.2. Output is `pcm_mulaw` at 8 kHz,
 * passed through untouched (MULAW_8K), the format Twilio plays. One socket per provider instance, opened on
 * first use and reopened when the server has closed it (idle sockets close after 5 minutes).
 */
export class CartesiaTts implements ClosableTtsProvider {
  readonly name: string;
  readonly format: AudioFormat = MULAW_8K;
  private readonly client: Cartesia;
  private readonly fields: CartesiaGenerationFields;
  private readonly policy: RetryPolicy;
  private readonly turns = new Map<string, CartesiaTurn>();
  private socket: CartesiaSocket | undefined;
  private opening: Promise<CartesiaSocket> | undefined;
  private contextSeq = 0;
  private closed = false;

  constructor(private readonly o: CartesiaTtsOptions) {
    if (!o.apiKey) throw new TtsError('TTS_INVALID_OPTIONS', 'cartesia: apiKey is required', { provider: 'cartesia', retryable: false });
    if (!o.voiceId) throw new TtsError('TTS_INVALID_OPTIONS', 'cartesia: voiceId is required', { provider: 'cartesia', retryable: false });
    this.name = o.name ?? 'cartesia';
    // No requests happen here: the SDK client only stores its options; the socket opens on first use.
    this.client = new Cartesia({ apiKey: o.apiKey, baseURL: o.baseUrl ?? 'https://api.cartesia.ai', maxRetries: 0 });
    this.fields = {
      model_id: o.model ?? 'sonic-3',
      voice: { mode: 'id', id: o.voiceId },
      output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 },
      language: o.language ?? 'en',
      max_buffer_delay_ms: o.maxBufferDelayMs ?? 0,
    };
    this.policy = retryPolicy(o.retry);
  }

  synthesize(text: string, o: SynthesizeOptions): AsyncIterable<AudioChunk> {
    return retryBeforeAudio(() => this.attempt(text, o), this.policy, o.signal, (error, delayMs) =>
      this.o.logger?.warn({ provider: this.name, code: error.code, delayMs }, 'cartesia: retrying sentence'),
    );
  }

  /** Cancels open replies and closes the socket. */
  async close(): Promise<void> {
    this.closed = true;
    for (const turn of [...this.turns.values()]) turn.cancel();
    const socket = this.socket ?? (await this.opening?.catch(() => undefined));
    socket?.close();
    this.socket = undefined;
  }

  private async *attempt(text: string, o: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    const last = o.context?.isLastSentence ?? o.context === undefined;
    if (o.signal.aborted || (text.trim() === '' && !last)) return;
    const socket = await untilAborted(this.connect(), o.signal);
    if (!socket) return;
    const empty = text.trim() === '';
    const open = o.context === undefined ? undefined : this.turns.get(o.context.turnId);
    // An empty last sentence only ends the reply's context; with no context open there is nothing to say.
    if (empty && !open) return;
    const turn = this.turnFor(o.context, socket);
    const stream = turn.speak(empty ? '' : text, last);
    try {
      for await (const data of stream.read(o.signal)) yield { data, format: MULAW_8K };
    } finally {
      // An abort, or a consumer that stopped pulling, leaves the sentence open: cancel the reply's context.
      if (stream.isOpen) turn.cancel();
    }
  }

  private turnFor(context: TurnContext | undefined, socket: CartesiaSocket): CartesiaTurn {
    const maxIdle = this.o.contextIdleMs ?? 1000;
    const key = context?.turnId;
    const existing = key === undefined ? undefined : this.turns.get(key);
    if (existing?.usable(socket, maxIdle)) return existing;
    existing?.cancel();
    // Never reuse a context_id (https://docs.cartesia.ai/use-the-api/concurrency-limits-and-timeouts): the reply's
    // turnId plus a per-provider sequence number.
    this.contextSeq += 1;
    const contextId = `${key ?? 'tts'}-${this.contextSeq}`;
    const turn = new CartesiaTurn(key ?? contextId, contextId, socket, {
      provider: this.name,
      fields: this.fields,
      responseTimeoutMs: this.o.responseTimeoutMs ?? 5000,
      logger: this.o.logger,
      onRetired: (t) => {
        if (this.turns.get(t.turnId) === t) this.turns.delete(t.turnId);
      },
    });
    if (key !== undefined) this.turns.set(key, turn);
    return turn;
  }

  /** The open socket, opening (or reopening) it once for all concurrent callers. */
  private connect(): Promise<CartesiaSocket> {
    if (this.closed) return Promise.reject(new TtsError('TTS_INVALID_OPTIONS', `${this.name}: provider is closed`, { provider: this.name, retryable: false }));
    if (this.socket?.isOpen) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    const ws = {
      ...(this.o.tls ?? {}),
      ...(this.o.cartesiaVersion ? { headers: { 'Cartesia-Version': this.o.cartesiaVersion } } : {}),
    };
    const opening = CartesiaSocket.open(this.client, { provider: this.name, ws, connectTimeoutMs: this.o.connectTimeoutMs ?? 5000, logger: this.o.logger });
    this.opening = opening;
    void opening.then(
      (s) => {
        this.opening = undefined;
        if (this.closed) s.close();
        else this.socket = s;
      },
      () => {
        this.opening = undefined;
      },
    );
    return opening;
  }
}
