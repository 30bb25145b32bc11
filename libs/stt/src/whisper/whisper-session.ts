import { type AudioChunk, resample, writeWav } from '@voice/audio-codec';
import { APIConnectionError, APIConnectionTimeoutError, APIError, type OpenAI, toFile } from 'openai';
import { backoffDelayMs, sleep } from '../backoff';
import { classifyFailure, parseRetryAfter, SttError } from '../errors';
import { EventQueue } from '../event-queue';
import type { SttEvent, SttWord } from '../types';
import { segmentCallerAudio } from '../vad/segment-caller-audio';
import { type SegmenterEvent, type SpeechSegment, VadSegmenter } from '../vad/segmenter';
import { createVad, type Vad } from '../vad/vad';
import { spreadWords } from '../words';
import type { WhisperSettings } from './whisper-options';

export const PROVIDER = 'whisper';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maps what the openai SDK threw to an SttError. Server messages are left out: a 401 text quotes the key. */
export function toSttError(e: unknown): SttError {
  if (e instanceof SttError) return e;
  if (e instanceof APIConnectionTimeoutError) return classifyFailure({ timeout: true }, PROVIDER, e);
  if (e instanceof APIConnectionError) return classifyFailure({}, PROVIDER, e);
  if (e instanceof APIError && typeof e.status === 'number') {
    const retryAfter = e.headers?.get('retry-after') ?? undefined;
    return classifyFailure({ status: e.status, reason: e.code ?? e.type, retryAfterMs: parseRetryAfter(retryAfter) }, PROVIDER, e);
  }
  return new SttError('STT_PROTOCOL', `${PROVIDER}: unreadable response`, { provider: PROVIDER, retryable: false, cause: e });
}

/**
 * One `transcribe()` call: fvad cuts caller audio into speech segments; `speech_started` goes out at the VAD
 * onset, each segment is uploaded as a WAV (in order, one request at a time) and yields `final` + `utterance_end`.
 */
export class WhisperSession {
  private readonly events = new EventQueue<SttEvent>();
  private readonly stopCtl = new AbortController();
  private input: AsyncIterator<AudioChunk> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastWordEndMs: number | undefined;

  constructor(
    private readonly s: WhisperSettings,
    private readonly client: OpenAI,
  ) {}

  private get stopped(): boolean {
    return this.stopCtl.signal.aborted;
  }

  async *run(audio: AsyncIterable<AudioChunk>, signal: AbortSignal): AsyncGenerator<SttEvent> {
    if (signal.aborted) return;
    const onAbort = (): void => this.stop();
    signal.addEventListener('abort', onAbort, { once: true });
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
      await this.chain; // the in-flight request was aborted by stop()
      vad?.dispose();
    }
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopCtl.abort();
    this.events.end();
    void Promise.resolve(this.input?.return?.()).catch(() => undefined);
  }

  private fail(err: unknown): void {
    const e = err instanceof SttError ? err : toSttError(err);
    this.s.logger?.error({ code: e.code, status: e.status }, 'stt: giving up');
    this.events.fail(e);
    this.stop();
  }

  private async pump(audio: AsyncIterable<AudioChunk>, segmenter: VadSegmenter): Promise<void> {
    const it = (this.input = audio[Symbol.asyncIterator]());
    const ended = await segmentCallerAudio(it, segmenter, (events) => this.handle(events), { provider: PROVIDER, stopped: () => this.stopped });
    if (ended) await this.chain;
  }

  private handle(events: SegmenterEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'onset') this.events.push({ type: 'speech_started', atMs: ev.atMs });
      else if (ev.type === 'segment') this.chain = this.chain.then(() => this.transcribe(ev.segment));
      // After the utterance's last transcription, in order.
      else this.chain = this.chain.then(() => this.utteranceEnd());
    }
  }

  /** Never throws: a fatal error fails the session, a recoverable one becomes an `error` event. */
  private async transcribe(seg: SpeechSegment): Promise<void> {
    if (this.stopped) return;
    if (!seg.cut && seg.speechEndMs - seg.speechStartMs < this.s.vad.minSpeechMs) return;
    const rate = this.s.uploadSampleRate;
    const wav = writeWav(rate === 8000 ? seg.pcm : resample(seg.pcm, 8000, rate), rate);
    for (let attempt = 0; ; attempt++) {
      let res: unknown;
      try {
        res = await this.request(wav);
      } catch (e) {
        if (this.stopped) return;
        const err = toSttError(e);
        if (err.code === 'STT_AUTH' || err.code === 'STT_BAD_REQUEST') return this.fail(err);
        this.s.logger?.warn({ code: err.code, status: err.status, attempt }, 'stt: transcription request failed');
        this.events.push({ type: 'error', error: err });
        if (err.retryable && attempt < this.s.retry.maxAttempts) {
          if (await sleep(backoffDelayMs(attempt, this.s.retry, err.retryAfterMs), this.stopCtl.signal)) continue;
        }
        return; // this segment's words are lost; the error events said so
      }
      if (this.stopped) return;
      return this.emit(res, seg);
    }
  }

  private async request(wav: Uint8Array): Promise<unknown> {
    const s = this.s;
    const verbose = s.wordTimestamps && s.model === 'whisper-1';
    const file = await toFile(wav, 'speech.wav', { type: 'audio/wav' });
    return this.client.audio.transcriptions.create(
      {
        file,
        model: s.model,
        ...(s.language ? { language: s.language } : {}),
        ...(s.prompt ? { prompt: s.prompt } : {}),
        ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
        ...(verbose ? { response_format: 'verbose_json' as const, timestamp_granularities: ['word' as const] } : { response_format: 'json' as const }),
      },
      { signal: this.stopCtl.signal, timeout: s.timeoutMs, maxRetries: 0 },
    );
  }

  private emit(res: unknown, seg: SpeechSegment): void {
    if (!isObj(res) || typeof res['text'] !== 'string') {
      const error = new SttError('STT_PROTOCOL', `${PROVIDER}: response without a text field`, { provider: PROVIDER, retryable: false });
      this.events.push({ type: 'error', error });
      return;
    }
    const text = res['text'].trim();
    if (!text) return;
    const words = timedWords(res['words'], seg.startMs) ?? spreadWords(text, seg.speechStartMs, seg.speechEndMs);
    if (words.length > 0) this.lastWordEndMs = words[words.length - 1].endMs;
    // A segment cut by maxSegmentMs is final text, but the caller is still speaking.
    this.events.push({ type: 'final', text, words, speechFinal: !seg.cut });
  }

  private utteranceEnd(): void {
    if (this.stopped) return;
    const last = this.lastWordEndMs;
    this.lastWordEndMs = undefined;
    this.events.push({ type: 'utterance_end', ...(last !== undefined ? { lastWordEndMs: last } : {}) });
  }
}

/** verbose_json `words` (seconds into the uploaded segment) → caller-audio ms; undefined when absent or odd. */
function timedWords(raw: unknown, offsetMs: number): SttWord[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const out: SttWord[] = [];
  for (const w of raw) {
    if (!isObj(w) || typeof w['word'] !== 'string' || typeof w['start'] !== 'number' || typeof w['end'] !== 'number') return undefined;
    out.push({ word: w['word'], startMs: offsetMs + w['start'] * 1000, endMs: offsetMs + w['end'] * 1000 });
  }
  return out;
}
