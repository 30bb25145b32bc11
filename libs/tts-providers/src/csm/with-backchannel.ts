import { type AudioChunk, type AudioFormat, createTranscoder, sameFormat } from '@voice/audio-codec';
import type { Logger } from 'pino';
import { firstWithin, linkedController } from '../abort';
import type { ClosableTtsProvider, SynthesizeOptions, TtsProvider } from '../types';
import type { CsmBackchannelMetrics, CsmMetricSink } from './csm-metrics';

export interface BackchannelOptions {
  /** Play a backchannel when the first audio of a reply is later than this (ms). */
  readonly afterMs: number;
  /** What to say, used in turn (default `['Mm-hm.']`). */
  readonly phrases?: readonly string[];
  /** Replies remembered as "already backchannelled" (default 256). */
  readonly maxTurns?: number;
  readonly onMetric?: CsmMetricSink;
  readonly logger?: Logger;
  /** Default `<primary>+backchannel`. */
  readonly name?: string;
}

/**
 * If CSM is slow to respond, a short backchannel ('Mm-hm.') can play quickly: when the first audio of a reply's first
 * sentence is later than `afterMs`, `speaker` says a short phrase, then the primary's audio follows. The two never
 * overlap: the primary keeps generating while the phrase plays, and its chunks are yielded only after the phrase's last
 * one. At most one backchannel per reply (`turnId`); a failing speaker is logged and skipped. The wrapper declares the
 * primary's format and transcodes the speaker's audio when it differs.
 */
export function withBackchannel(primary: TtsProvider, speaker: TtsProvider, options: BackchannelOptions): ClosableTtsProvider {
  const phrases = options.phrases && options.phrases.length > 0 ? options.phrases : ['Mm-hm.'];
  const format: AudioFormat = primary.format;
  const done = new Set<string>();
  const maxTurns = options.maxTurns ?? 256;
  let spoken = 0;

  function report(m: CsmBackchannelMetrics): void {
    try {
      options.onMetric?.(m);
    } catch (e) {
      options.logger?.error({ err: e }, 'tts: the backchannel metrics sink threw');
    }
  }

  /** The phrase, transcoded to the primary's format; true when it was spoken to the end. */
  async function* speak(text: string, signal: AbortSignal): AsyncGenerator<AudioChunk, boolean> {
    const transcoder = sameFormat(speaker.format, format) ? undefined : createTranscoder(speaker.format, format);
    try {
      for await (const chunk of speaker.synthesize(text, { signal })) {
        const data = transcoder ? transcoder.process(chunk.data) : chunk.data;
        if (data.length > 0) yield { data, format };
      }
      const tail = transcoder?.flush();
      if (tail && tail.length > 0 && !signal.aborted) yield { data: tail, format };
      return !signal.aborted;
    } catch (e) {
      options.logger?.warn({ err: e }, 'tts: the backchannel failed; the reply goes on without it');
      return false;
    }
  }

  function eligible(o: SynthesizeOptions): boolean {
    const c = o.context;
    if (c?.sentenceIndex !== undefined && c.sentenceIndex !== 0) return false;
    if (c?.turnId === undefined) return true;
    if (done.has(c.turnId)) return false;
    done.add(c.turnId);
    if (done.size > maxTurns) done.delete(done.values().next().value as string);
    return true;
  }

  async function* synthesize(text: string, o: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    if (o.signal.aborted || text.trim() === '') return;
    if (!eligible(o)) {
      yield* primary.synthesize(text, o);
      return;
    }
    const started = Date.now();
    const { controller, release } = linkedController(o.signal);
    const it = primary.synthesize(text, { ...o, signal: controller.signal })[Symbol.asyncIterator]();
    let finished = false;
    try {
      const pending = it.next();
      const first = await firstWithin(pending, options.afterMs, o.signal);
      if (first.kind === 'aborted') return;
      if (first.kind === 'error') throw first.error;
      let result: IteratorResult<AudioChunk>;
      if (first.kind === 'item') {
        result = first.result;
      } else {
        const phrase = phrases[spoken++ % phrases.length] ?? 'Mm-hm.';
        const afterMs = Date.now() - started;
        options.logger?.debug({ afterMs, turnId: o.context?.turnId }, 'tts: first audio late, backchannel');
        const completed = yield* speak(phrase, o.signal);
        report({ kind: 'backchannel', text: phrase, turnId: o.context?.turnId, afterMs, completed });
        if (o.signal.aborted) return;
        result = await pending;
      }
      for (; !result.done; result = await it.next()) {
        if (o.signal.aborted) return;
        yield result.value;
      }
      finished = true;
    } finally {
      if (!finished) {
        controller.abort();
        void it.return?.().catch(() => undefined);
      }
      release();
    }
  }

  return {
    name: options.name ?? `${primary.name}+backchannel`,
    format,
    synthesize,
    async close() {
      const all = new Set([primary, speaker] as Array<TtsProvider & { close?: () => Promise<void> }>);
      await Promise.all([...all].map((p) => (p.close ? p.close() : Promise.resolve())));
    },
  };
}
