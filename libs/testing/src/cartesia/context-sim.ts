import { cutAudio, type FakeAudioEncoding, fakeSpeechAudio, speechDurationMs } from './fake-audio';
import type { CartesiaContextRecord, CartesiaContextScript } from './types';

/** What a context needs from its socket. */
export interface ContextIo {
  /** Sends a JSON message (or a raw text frame); false once the socket is gone. */
  send(message: object | string): boolean;
  /** Ends the whole socket (a crash mid-context); code 1006 drops TCP without a close frame. */
  closeSocket(code: number, reason: string): void;
}

export interface ContextSettings {
  readonly msPerChar: number;
  readonly chunkMs: number;
  readonly firstChunkDelayMs: number;
  readonly chunkIntervalMs: number;
  readonly maxBufferDelayCapMs: number;
  readonly errorIncludesContextId: boolean;
}

type Step = { kind: 'speak'; text: string } | { kind: 'flush' } | { kind: 'done' };

const ENCODINGS: Record<string, FakeAudioEncoding | undefined> = { pcm_mulaw: 'mulaw', pcm_s16le: 's16le', pcm_f32le: 'f32le' };
const RATES = [8000, 16000, 22050, 24000, 44100, 48000];
const DEFAULT_ERROR_CODE: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized', 429: 'concurrency_limited' };
/**
 * Fields that may change between inputs of one context
 * (https://docs.cartesia.ai/2026-03-01/api-reference/tts/websocket).
 */
const MUTABLE = new Set(['transcript', 'continue', 'duration', 'flush', 'context_id', 'cancel']);

/** The format and fields fixed by the first request of a context. */
function fixedFields(req: Record<string, unknown>): string {
  return JSON.stringify(Object.entries(req).filter(([k]) => !MUTABLE.has(k)).sort(([a], [b]) => a.localeCompare(b)));
}

function validate(req: Record<string, unknown>): string | undefined {
  if (typeof req['model_id'] !== 'string' || req['model_id'] === '') return 'Missing model_id';
  const voice = req['voice'] as { id?: unknown } | undefined;
  if (typeof voice !== 'object' || voice === null || typeof voice.id !== 'string') return 'Missing voice id';
  if (typeof req['transcript'] !== 'string') return 'Missing transcript';
  const f = req['output_format'] as { container?: unknown; encoding?: unknown; sample_rate?: unknown } | undefined;
  if (typeof f !== 'object' || f === null) return 'Missing output_format';
  if (f.container !== 'raw') return 'WebSocket output_format.container must be raw';
  if (typeof f.encoding !== 'string' || !(f.encoding in ENCODINGS) && f.encoding !== 'pcm_alaw') return `Invalid encoding: ${String(f.encoding)}`;
  if (ENCODINGS[f.encoding] === undefined) return `The fake does not render ${f.encoding}`;
  if (typeof f.sample_rate !== 'number' || !RATES.includes(f.sample_rate)) return `Invalid sample_rate: ${String(f.sample_rate)}`;
  return undefined;
}

/**
 * One Cartesia context on the fake: buffers text like the real API (`max_buffer_delay_ms`, flush, `continue`), then
 * answers chunk / timestamps / flush_done / done in input order. A cancel halts only a context that has not started
 * generating; one that has keeps sending the generation in progress
 * (https://docs.cartesia.ai/2026-03-01/api-reference/tts/websocket).
 */
export class CartesiaContextSim {
  private readonly steps: Step[] = [];
  private readonly halt = new AbortController();
  private fixed: string | undefined;
  private encoding: FakeAudioEncoding = 'mulaw';
  private sampleRate = 8000;
  private bufferDelayMs = 0;
  private pendingText = '';
  private bufferTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private ended = false;
  private flushes = 0;
  private timestamps = false;
  private stopped = false;

  constructor(
    private readonly io: ContextIo,
    readonly record: CartesiaContextRecord,
    private readonly script: CartesiaContextScript,
    private readonly settings: ContextSettings,
    private readonly violation: (text: string) => void,
  ) {}

  /** A generation request (`transcript`, `continue`, `flush`) for this context. */
  input(req: Record<string, unknown>): void {
    this.record.inputs.push(req);
    if (this.stopped) return;
    if (this.ended) {
      this.violation(`context ${this.record.contextId}: input after continue:false`);
      return;
    }
    if (this.fixed === undefined) {
      const invalid = validate(req);
      if (invalid !== undefined) return this.fail(400, invalid);
      const f = req['output_format'] as { encoding: string; sample_rate: number };
      this.encoding = ENCODINGS[f.encoding] ?? 'mulaw';
      this.sampleRate = f.sample_rate;
      const delay = typeof req['max_buffer_delay_ms'] === 'number' ? req['max_buffer_delay_ms'] : 3000;
      this.bufferDelayMs = Math.min(delay, this.settings.maxBufferDelayCapMs);
      this.timestamps = req['add_timestamps'] === true;
      this.fixed = fixedFields(req);
    } else if (fixedFields(req) !== this.fixed) {
      this.violation(`context ${this.record.contextId}: fields other than transcript/continue/duration changed`);
    }
    const transcript = typeof req['transcript'] === 'string' ? req['transcript'] : '';
    this.pendingText += transcript;
    const flush = req['flush'] === true;
    const last = req['continue'] !== true;
    if (flush || last || this.bufferDelayMs === 0) this.releaseText();
    else if (this.pendingText !== '' && this.bufferTimer === undefined) {
      this.bufferTimer = setTimeout(() => this.releaseText(), this.bufferDelayMs);
    }
    if (flush) this.steps.push({ kind: 'flush' });
    if (last) {
      this.ended = true;
      this.steps.push({ kind: 'done' });
    }
    this.pump();
  }

  cancel(): void {
    this.record.inputs.push({ cancel: true, context_id: this.record.contextId });
    if (this.stopped) return;
    this.record.cancelled = true;
    if (!this.running) {
      // Nothing is generating right now (never started, or idle between inputs): halt at once.
      this.record.outcome = 'cancelled-before-start';
      this.stop();
    }
  }

  /** The socket is gone: stop every timer. */
  stop(): void {
    this.stopped = true;
    if (this.bufferTimer !== undefined) clearTimeout(this.bufferTimer);
    this.bufferTimer = undefined;
    this.steps.length = 0;
    this.halt.abort();
  }

  get isFinished(): boolean {
    return this.stopped;
  }

  private releaseText(): void {
    if (this.bufferTimer !== undefined) clearTimeout(this.bufferTimer);
    this.bufferTimer = undefined;
    if (this.pendingText === '') return;
    this.steps.push({ kind: 'speak', text: this.pendingText });
    this.pendingText = '';
    this.pump();
  }

  private pump(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
    });
  }

  private async run(): Promise<void> {
    if (this.script.hang) {
      this.record.outcome = 'hung';
      this.steps.length = 0;
      return;
    }
    for (let step = this.steps.shift(); step !== undefined && !this.stopped; step = this.steps.shift()) {
      if (step.kind === 'speak') await this.speak(step.text);
      else if (this.record.cancelled) break;
      else if (step.kind === 'flush') {
        this.flushes += 1;
        this.send({ type: 'flush_done', done: false, flush_done: true, flush_id: this.flushes, status_code: 206, context_id: this.record.contextId });
      } else {
        this.send({ type: 'done', done: true, status_code: 206, context_id: this.record.contextId });
        this.record.outcome = 'done';
        this.stop();
      }
      if (this.record.cancelled && !this.stopped) {
        // Cartesia finishes the generation in progress, then drops the rest of a cancelled context.
        this.record.outcome = 'cancelled-while-generating';
        this.stop();
      }
    }
  }

  private async speak(text: string): Promise<void> {
    if (this.record.cancelled) return;
    const audio = fakeSpeechAudio(speechDurationMs(text, this.settings.msPerChar), this.sampleRate, this.encoding);
    const pieces = cutAudio(audio, this.sampleRate, this.encoding, this.settings.chunkMs);
    const first = this.script.firstChunkDelayMs ?? this.settings.firstChunkDelayMs;
    const interval = this.script.chunkIntervalMs ?? this.settings.chunkIntervalMs;
    for (let i = 0; i < pieces.length; i++) {
      if (this.faultFires()) return;
      await this.wait(i === 0 ? first : interval);
      if (this.stopped) return;
      const data = Buffer.from(pieces[i] ?? new Uint8Array(0)).toString('base64');
      const stepTime = Math.max(1, Math.round(this.settings.chunkMs / 10));
      this.send({ type: 'chunk', data, done: false, status_code: 206, step_time: stepTime, context_id: this.record.contextId });
      this.record.chunksSent += 1;
      if (this.record.cancelled) this.record.chunksAfterCancel += 1;
    }
    if (this.faultFires()) return;
    if (this.timestamps) this.sendTimestamps(text, audio.length);
  }

  /** Fires the scripted fault whose chunk count has been reached; true when the context is over. */
  private faultFires(): boolean {
    const n = this.record.chunksSent;
    const { error, close, malformedAfterChunks } = this.script;
    if (error && n >= (error.afterChunks ?? 0)) {
      this.fail(error.status, error.message ?? 'Scripted error', error.errorCode, error.title);
      return true;
    }
    if (close && n >= (close.afterChunks ?? 0)) {
      this.record.outcome = 'socket-closed';
      this.io.closeSocket(close.code, close.reason ?? '');
      this.stop();
      return true;
    }
    if (malformedAfterChunks !== undefined && n >= malformedAfterChunks) {
      this.io.send(`{"type":"chunk","data":"AAAA","done":false,"context_id":"${this.record.contextId}"`);
      this.record.outcome = 'error';
      this.stop();
      return true;
    }
    return false;
  }

  private fail(status: number, message: string, errorCode?: string, title?: string): void {
    // Structured error shape of Cartesia-Version >= 2026-03-01
    // (https://docs.cartesia.ai/2026-03-01/api-reference/tts/websocket); done:true ends the context.
    const frame: Record<string, unknown> = {
      type: 'error',
      done: true,
      status_code: status,
      error_code: errorCode ?? DEFAULT_ERROR_CODE[status] ?? (status >= 500 ? 'internal_error' : 'error'),
      title: title ?? (status === 429 ? 'Too many concurrent requests' : 'Request failed'),
      message,
    };
    if (this.settings.errorIncludesContextId) frame['context_id'] = this.record.contextId;
    this.send(frame);
    this.record.outcome = 'error';
    this.stop();
  }

  private sendTimestamps(text: string, bytes: number): void {
    const words = text.split(/\s+/).filter((w) => w !== '');
    const seconds = bytes / (this.sampleRate * (this.encoding === 'mulaw' ? 1 : this.encoding === 's16le' ? 2 : 4));
    const each = words.length > 0 ? seconds / words.length : 0;
    this.send({
      type: 'timestamps',
      done: false,
      status_code: 206,
      context_id: this.record.contextId,
      word_timestamps: { words, start: words.map((_, i) => i * each), end: words.map((_, i) => (i + 1) * each) },
    });
  }

  private send(message: object): void {
    this.io.send(message);
  }

  private async wait(ms: number): Promise<void> {
    const { signal } = this.halt;
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      // ms 0 still yields to the event loop, so chunks stream instead of arriving in one burst.
      const timer = ms > 0 ? setTimeout(() => done(), ms) : undefined;
      const immediate = ms > 0 ? undefined : setImmediate(() => done());
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        if (immediate !== undefined) clearImmediate(immediate);
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done);
    });
  }
}
