import { type AudioChunk, resample } from '@voice/audio-codec';
import { SttError } from '../errors';
import { EventQueue } from '../event-queue';
import type { SttEvent, SttWord } from '../types';
import { segmentCallerAudio } from '../vad/segment-caller-audio';
import { type SegmenterEvent, type SpeechSegment, VadSegmenter } from '../vad/segmenter';
import { createVad, type Vad } from '../vad/vad';
import { type DecoderHost, type Decoded, PROVIDER } from './decoder-host';
import { FRAME_MS, judgeGrammar } from './fallback-rule';
import type { ExpectedPhrases, LocalDecodeMetrics, LocalSttSettings } from './local-stt-options';

/** The en-us acoustic model is wideband (16 kHz); telephone audio is upsampled before decoding (gotcha 4). */
const MODEL_RATE = 16_000;

/**
 * One `transcribe()` call: fvad cuts the caller's μ-law 8 kHz audio into utterances; `speech_started` at the VAD
 * onset; each utterance is upsampled to 16 kHz and decoded whole in the shared decoder worker (grammar first when
 * there are expected phrases, language model otherwise or as the fallback), then `final` + `utterance_end`.
 */
export class LocalSession {
  private readonly events = new EventQueue<SttEvent>();
  private readonly stopCtl = new AbortController();
  private input: AsyncIterator<AudioChunk> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastWordEndMs: number | undefined;
  /** The utterance in progress was cut by maxSegmentMs: its pieces are decoded with the language model. */
  private inCutUtterance = false;

  constructor(
    private readonly s: LocalSttSettings,
    private readonly host: DecoderHost,
    private readonly phrases: ExpectedPhrases | undefined,
    private readonly onOpen: (open: boolean) => void,
  ) {}

  private get stopped(): boolean {
    return this.stopCtl.signal.aborted;
  }

  async *run(audio: AsyncIterable<AudioChunk>, signal: AbortSignal): AsyncGenerator<SttEvent> {
    if (signal.aborted) return;
    const onAbort = (): void => this.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    this.onOpen(true);
    let vad: Vad | undefined;
    try {
      const v = this.s.vad;
      vad = await createVad({ sampleRate: 8000, mode: v.mode, onsetMs: v.onsetMs, hangoverMs: v.hangoverMs });
      const segmenter = new VadSegmenter(vad, v);
      void this.pump(audio, segmenter).then(
        () => this.events.end(),
        (e: unknown) => this.fail(e),
      );
      yield* this.events;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.stop();
      // Not awaiting the decode chain: a decode in the worker cannot be interrupted, and its result is dropped.
      vad?.dispose();
      this.onOpen(false);
    }
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopCtl.abort();
    this.events.end();
    void Promise.resolve(this.input?.return?.()).catch(() => undefined);
  }

  private fail(err: unknown): void {
    const e =
      err instanceof SttError ? err : new SttError('STT_PROVIDER_ERROR', `${PROVIDER}: ${String(err)}`, { provider: PROVIDER, retryable: false, cause: err });
    this.s.logger?.error({ code: e.code }, `${PROVIDER}: giving up`);
    this.events.fail(e);
    this.stop();
  }

  private async pump(audio: AsyncIterable<AudioChunk>, segmenter: VadSegmenter): Promise<void> {
    const it = (this.input = audio[Symbol.asyncIterator]());
    // Stopped while the VAD was loading: stop() had no iterator to finish yet.
    if (this.stopped) return void (await Promise.resolve(it.return?.()).catch(() => undefined));
    const ended = await segmentCallerAudio(it, segmenter, (events) => this.handle(events), { provider: PROVIDER, stopped: () => this.stopped });
    if (ended) await this.chain;
  }

  private handle(events: SegmenterEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'onset') this.events.push({ type: 'speech_started', atMs: ev.atMs });
      else if (ev.type === 'segment') {
        const seg = ev.segment;
        const piece = this.inCutUtterance || seg.cut;
        this.inCutUtterance = seg.cut;
        this.chain = this.chain.then(() => this.transcribe(seg, piece));
      } else {
        this.inCutUtterance = false;
        this.chain = this.chain.then(() => this.utteranceEnd());
      }
    }
  }

  /** Never throws: a fatal error fails the session, a lost decode becomes an `error` event. */
  private async transcribe(seg: SpeechSegment, piece: boolean): Promise<void> {
    if (this.stopped) return;
    if (!piece && seg.speechEndMs - seg.speechStartMs < this.s.vad.minSpeechMs) return;
    try {
      const audio = resample(seg.pcm, seg.sampleRate, MODEL_RATE);
      // A piece of a long utterance is not a whole reply: no phrase would match it.
      const phrases = piece ? undefined : this.expected();
      const result = await this.recognise(audio, phrases, seg);
      if (result === undefined || this.stopped) return;
      this.emit(result, seg);
    } catch (e) {
      if (this.stopped) return;
      const error = e instanceof SttError ? e : new SttError('STT_PROVIDER_ERROR', `${PROVIDER}: ${String(e)}`, { provider: PROVIDER, retryable: true, cause: e });
      // The decoder cannot come back (its library vanished) or its provider was closed: nothing more can be decoded.
      if (error.code === 'STT_UNAVAILABLE' || this.host.isClosed) return this.fail(error);
      this.s.logger?.warn({ code: error.code }, `${PROVIDER}: utterance lost`);
      this.events.push({ type: 'error', error });
    }
  }

  /** The caller's expected phrases; a throwing callback counts as none (logged), so the utterance is still decoded. */
  private expected(): readonly string[] | undefined {
    try {
      return this.phrases?.();
    } catch (e) {
      this.s.logger?.warn({ err: e }, `${PROVIDER}: expectedPhrases() threw; decoding with the language model`);
      return undefined;
    }
  }

  /** Grammar first when there are phrases; the language model when there are none or the rule rejects the grammar's result. */
  private async recognise(audio: Int16Array, phrases: readonly string[] | undefined, seg: SpeechSegment): Promise<Decoded | undefined> {
    const signal = this.stopCtl.signal;
    const m: { -readonly [K in keyof LocalDecodeMetrics]: LocalDecodeMetrics[K] } = { used: 'lm', audioMs: seg.endMs - seg.startMs, text: '' };
    let result: Decoded | undefined;
    if (!phrases || phrases.length === 0) m.lmReason = 'no-phrases';
    else {
      try {
        const grammar = await this.host.grammar(phrases);
        if (grammar.name === undefined) m.lmReason = 'no-grammar';
        else {
          // The worker takes the buffer it is sent (transferred): the language model, if needed, gets a copy.
          const g = await this.host.decode(audio.slice(), grammar.name, signal);
          if (g === undefined) return undefined;
          m.grammarMs = g.ms;
          const verdict = judgeGrammar(g.words, seg.speechEndMs - seg.speechStartMs, this.s.grammarRule);
          m.grammarScore = verdict.score;
          m.grammarCoverage = verdict.coverage;
          if (verdict.accept) {
            m.used = 'grammar';
            result = g;
          } else m.lmReason = verdict.reason;
        }
      } catch (e) {
        if (e instanceof SttError && e.retryable) throw e; // the worker died: this utterance is lost
        this.s.logger?.warn({ err: e }, `${PROVIDER}: grammar failed, using the language model`);
        m.lmReason = 'grammar-failed';
      }
    }
    if (!result) {
      result = await this.host.decode(audio, undefined, signal);
      if (result === undefined) return undefined;
      m.lmMs = result.ms;
    }
    m.text = result.words.map((w) => w.word).join(' ');
    try {
      this.s.onDecode?.(m);
    } catch (e) {
      this.s.logger?.warn({ err: e }, `${PROVIDER}: onDecode sink threw`);
    }
    return result;
  }

  private emit(result: Decoded, seg: SpeechSegment): void {
    if (result.words.length === 0) return;
    const words: SttWord[] = result.words.map((w) => ({
      word: w.word,
      startMs: Math.min(seg.endMs, seg.startMs + w.startFrame * FRAME_MS),
      endMs: Math.min(seg.endMs, seg.startMs + (w.endFrame + 1) * FRAME_MS),
    }));
    this.lastWordEndMs = words[words.length - 1].endMs;
    // A piece cut by maxSegmentMs is final text, but the caller is still speaking.
    this.events.push({ type: 'final', text: words.map((w) => w.word).join(' '), words, speechFinal: !seg.cut });
  }

  private utteranceEnd(): void {
    if (this.stopped) return;
    const last = this.lastWordEndMs;
    this.lastWordEndMs = undefined;
    this.events.push({ type: 'utterance_end', ...(last !== undefined ? { lastWordEndMs: last } : {}) });
  }
}
