import { type AudioChunk, type AudioFormat, createTranscoder, sameFormat } from '@voice/audio-codec';
import type { Logger } from 'pino';
import { firstWithin, linkedController } from '../abort';
import { TtsError } from '../tts-error';
import type { ClosableTtsProvider, SynthesizeOptions, TtsProvider } from '../types';

/** Why a sentence moved to the fallback: no audio in time, or the primary's error code (`error:TTS_AUTH`, ...). */
export type FallbackReason = 'timeout' | `error:${string}`;

/** What the metrics sink receives at each switch. */
export interface FallbackEvent {
  readonly reason: FallbackReason;
  readonly primary: string;
  readonly fallback: string;
  readonly turnId?: string;
  readonly sentenceIndex?: number;
  /** From the call to the switch. */
  readonly elapsedMs: number;
  /** The primary's error, for `error:*` reasons. */
  readonly error?: TtsError;
}

export interface WithFallbackOptions {
  /**
   * The primary must yield its first audio within this long (default 800 ms), else it is aborted and the fallback
   * speaks: an open but silent socket is caught well within 1 s of when audio was due.
   */
  readonly firstAudioTimeoutMs?: number;
  /** Metrics sink, called once per switch. A throwing sink is logged and ignored. */
  readonly onFallback?: (event: FallbackEvent) => void;
  readonly logger?: Logger;
  /** Default `<primary>+<fallback>`. */
  readonly name?: string;
  /** Turns remembered as "already on the fallback" so the rest of a reply keeps one voice (default 256). */
  readonly stickyTurns?: number;
}

/**
 * Speaks with `primary`; when it throws or yields no audio within `firstAudioTimeoutMs`, aborts it and speaks the
 * same text with `fallback`. Nothing from the primary is yielded after the switch. Once audio has come from the
 * primary, a later error is thrown as is (repeating the sentence would repeat words).
 *
 * Formats: the wrapper declares the primary's format; when the fallback's differs, its audio is transcoded once
 * per sentence with one streaming `createTranscoder`. After a switch, the rest of that reply (`turnId`) goes
 * straight to the fallback, so one reply does not alternate voices.
 */
export function withFallback(primary: TtsProvider, fallback: TtsProvider, options: WithFallbackOptions = {}): ClosableTtsProvider {
  const timeoutMs = options.firstAudioTimeoutMs ?? 800;
  const sticky = new Set<string>();
  const stickyMax = options.stickyTurns ?? 256;
  const format: AudioFormat = primary.format;
  const name = options.name ?? `${primary.name}+${fallback.name}`;

  function report(event: FallbackEvent): void {
    options.logger?.warn({ reason: event.reason, primary: event.primary, turnId: event.turnId }, 'tts: switching to the fallback');
    try {
      options.onFallback?.(event);
    } catch (e) {
      options.logger?.error({ err: e }, 'tts: the fallback metrics sink threw');
    }
  }

  async function* speakFallback(text: string, o: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    if (sameFormat(fallback.format, format)) {
      yield* fallback.synthesize(text, o);
      return;
    }
    const transcoder = createTranscoder(fallback.format, format);
    for await (const chunk of fallback.synthesize(text, o)) {
      const data = transcoder.process(chunk.data);
      if (data.length > 0) yield { data, format };
    }
    if (o.signal.aborted) return;
    const tail = transcoder.flush();
    if (tail.length > 0) yield { data: tail, format };
  }

  async function* synthesize(text: string, o: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    if (o.signal.aborted || text.trim() === '') return;
    const turnId = o.context?.turnId;
    if (turnId !== undefined && sticky.has(turnId)) {
      yield* speakFallback(text, o);
      return;
    }
    const started = Date.now();
    const { controller, release } = linkedController(o.signal);
    const it = primary.synthesize(text, { ...o, signal: controller.signal })[Symbol.asyncIterator]();
    let reason: FallbackReason | undefined;
    let error: TtsError | undefined;
    let primaryDone = false;
    try {
      const first = await firstWithin(it.next(), timeoutMs, o.signal);
      if (first.kind === 'aborted') return;
      if (first.kind === 'item' && !first.result.done) {
        yield first.result.value;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
        primaryDone = true;
        return;
      }
      if (o.signal.aborted) return;
      if (first.kind === 'timeout') reason = 'timeout';
      else if (first.kind === 'item') {
        primaryDone = true;
        error = new TtsError('TTS_NO_AUDIO', `${primary.name}: ended without audio`, { provider: primary.name, retryable: true });
        reason = 'error:TTS_NO_AUDIO';
      } else {
        primaryDone = true;
        error = first.error instanceof TtsError ? first.error : undefined;
        reason = `error:${error?.code ?? 'UNKNOWN'}`;
        if (!error) options.logger?.error({ err: first.error }, 'tts: the primary threw a non-TtsError');
      }
    } finally {
      if (!primaryDone) {
        // Abort the primary's request on the wire; its generator then ends quietly. A pending next() may still
        // settle later: nothing reads it, and return() is only queued behind it.
        controller.abort();
        void it.return?.().catch(() => undefined);
      }
      release();
    }
    if (reason === undefined) return;
    if (turnId !== undefined) {
      sticky.add(turnId);
      if (sticky.size > stickyMax) sticky.delete(sticky.values().next().value as string);
    }
    report({ reason, primary: primary.name, fallback: fallback.name, turnId, sentenceIndex: o.context?.sentenceIndex, elapsedMs: Date.now() - started, error });
    yield* speakFallback(text, o);
  }

  return {
    name,
    format,
    synthesize,
    async close() {
      const closable = [primary, fallback] as Array<TtsProvider & { close?: () => Promise<void> }>;
      await Promise.all(closable.map((p) => (p.close ? p.close() : Promise.resolve())));
    },
  };
}
