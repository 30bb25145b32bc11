import { type AudioChunk, type AudioFormat, MULAW_8K } from '@voice/audio-codec';
import type { Logger } from 'pino';
import { untilAborted } from '../abort';
import { retryBeforeAudio, retryPolicy, type RetryPolicy } from '../retry';
import { TtsError } from '../tts-error';
import type { ClosableTtsProvider, SynthesizeOptions } from '../types';
import { ElevenLabsReply } from './elevenlabs-reply';

export interface ElevenLabsTtsOptions {
  readonly apiKey: string;
  readonly voiceId: string;
  /** Default `eleven_flash_v2_5`. */
  readonly model?: string;
  /** Default `wss://api.elevenlabs.io`. */
  readonly baseUrl?: string;
  /** BOS `voice_settings`, e.g. `{ stability: 0.5, similarity_boost: 0.75, speed: 1 }`. Default: the voice's own. */
  readonly voiceSettings?: Readonly<Record<string, unknown>>;
  /** BOS `generation_config.chunk_length_schedule`. Default: the server's ([120,160,250,290]); we flush per sentence anyway. */
  readonly chunkLengthSchedule?: readonly number[];
  /** Server-side inactivity close, sent as `inactivity_timeout` (default 20 s; up to 180). */
  readonly inactivityTimeoutS?: number;
  /** Send a `" "` keepalive after this long without sending (default 10000 ms, half the server's 20 s). */
  readonly keepAliveMs?: number;
  /** Close a reply's socket that got no sentence for this long without its last one (default 30000 ms). */
  readonly replyIdleCloseMs?: number;
  /** Without alignment data, a sentence ends after this long with no audio (default 300 ms). */
  readonly settleMs?: number;
  /** Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Fail a sentence with TTS_TIMEOUT when no audio comes for this long (default 5000 ms). */
  readonly responseTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: Logger;
  /** Default `elevenlabs`. */
  readonly name?: string;
}

/**
 * ElevenLabs over the `stream-input` WebSocket with `output_format=ulaw_8000` (MULAW_8K, passed through), on
 * plain `ws`. One socket per reply (`turnId`); one flush per sentence; EOS after the last sentence.
 */
export class ElevenLabsTts implements ClosableTtsProvider {
  readonly name: string;
  readonly format: AudioFormat = MULAW_8K;
  private readonly policy: RetryPolicy;
  private readonly replies = new Map<string, Promise<ElevenLabsReply>>();
  private readonly live = new Set<ElevenLabsReply>();
  private closed = false;

  constructor(private readonly o: ElevenLabsTtsOptions) {
    if (!o.apiKey) throw new TtsError('TTS_INVALID_OPTIONS', 'elevenlabs: apiKey is required', { provider: 'elevenlabs', retryable: false });
    if (!o.voiceId) throw new TtsError('TTS_INVALID_OPTIONS', 'elevenlabs: voiceId is required', { provider: 'elevenlabs', retryable: false });
    this.name = o.name ?? 'elevenlabs';
    this.policy = retryPolicy(o.retry);
  }

  synthesize(text: string, o: SynthesizeOptions): AsyncIterable<AudioChunk> {
    return retryBeforeAudio(() => this.attempt(text, o), this.policy, o.signal, (error, delayMs) =>
      this.o.logger?.warn({ provider: this.name, code: error.code, delayMs }, 'elevenlabs: retrying sentence'),
    );
  }

  /** Closes every reply socket (no EOS: their sentences end quietly). */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.replies.values()];
    this.replies.clear();
    for (const r of this.live) r.cancel();
    for (const p of pending) (await p.catch(() => undefined))?.cancel();
  }

  private async *attempt(text: string, o: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    const last = o.context?.isLastSentence ?? o.context === undefined;
    const empty = text.trim() === '';
    if (o.signal.aborted || (empty && !last)) return;
    const key = o.context?.turnId;
    // An empty last sentence only ends an open reply; with none open there is nothing to say.
    if (empty && (key === undefined || !this.replies.has(key))) return;
    const opening = this.replyFor(key);
    const reply = await untilAborted(opening, o.signal);
    if (!reply) {
      // Aborted while the socket was opening: the reply is over, release the socket once it is open.
      void opening.then((r) => r.cancel(), () => undefined);
      return;
    }
    const stream = reply.speak(text, last);
    try {
      for await (const data of stream.read(o.signal)) yield { data, format: MULAW_8K };
    } finally {
      if (stream.isOpen) reply.cancel();
    }
  }

  /** The reply's socket, opened once per turn (concurrent sentences of a turn share the opening). */
  private replyFor(turnId: string | undefined): Promise<ElevenLabsReply> {
    if (this.closed) return Promise.reject(new TtsError('TTS_INVALID_OPTIONS', `${this.name}: provider is closed`, { provider: this.name, retryable: false }));
    const existing = turnId === undefined ? undefined : this.replies.get(turnId);
    if (existing) return existing.then((r) => (r.usable ? r : this.open(turnId)));
    return this.open(turnId);
  }

  private open(turnId: string | undefined): Promise<ElevenLabsReply> {
    const base = (this.o.baseUrl ?? 'wss://api.elevenlabs.io').replace(/\/+$/, '');
    const query = new URLSearchParams({
      model_id: this.o.model ?? 'eleven_flash_v2_5',
      output_format: 'ulaw_8000',
      inactivity_timeout: String(this.o.inactivityTimeoutS ?? 20),
    });
    const bos: Record<string, unknown> = {};
    if (this.o.voiceSettings) bos['voice_settings'] = this.o.voiceSettings;
    if (this.o.chunkLengthSchedule) bos['generation_config'] = { chunk_length_schedule: this.o.chunkLengthSchedule };
    const opening = ElevenLabsReply.open({
      provider: this.name,
      url: `${base}/v1/text-to-speech/${encodeURIComponent(this.o.voiceId)}/stream-input?${query.toString()}`,
      apiKey: this.o.apiKey,
      bos,
      connectTimeoutMs: this.o.connectTimeoutMs ?? 5000,
      responseTimeoutMs: this.o.responseTimeoutMs ?? 5000,
      keepAliveMs: this.o.keepAliveMs ?? 10_000,
      idleCloseMs: this.o.replyIdleCloseMs ?? 30_000,
      settleMs: this.o.settleMs ?? 300,
      logger: this.o.logger,
      onRetired: (r) => {
        this.live.delete(r);
        if (turnId !== undefined && this.replies.get(turnId) === opening) this.replies.delete(turnId);
      },
    });
    if (turnId !== undefined) this.replies.set(turnId, opening);
    void opening.then(
      (r) => {
        if (this.closed) r.cancel();
        else this.live.add(r);
      },
      () => {
        if (turnId !== undefined && this.replies.get(turnId) === opening) this.replies.delete(turnId);
      },
    );
    return opening;
  }
}
