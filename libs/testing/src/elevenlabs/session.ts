import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { cutAudio, type FakeAudioEncoding, fakeSpeechAudio, speechDurationMs } from '../cartesia/fake-audio';
import type { ElevenLabsSessionScript, FakeElevenLabsSession } from './types';

export interface SessionSettings {
  readonly apiKey: string;
  /** True when the upgrade already carried the right `xi-api-key` header. */
  readonly headerAuthenticated: boolean;
  readonly encoding: FakeAudioEncoding;
  readonly sampleRate: number;
  readonly msPerChar: number;
  readonly chunkMs: number;
  readonly firstChunkDelayMs: number;
  readonly chunkIntervalMs: number;
  readonly inactivityTimeoutMs: number;
  readonly strict: boolean;
  readonly alignment: boolean;
  readonly script: ElevenLabsSessionScript;
  changed(): void;
  violation(text: string): void;
}

/**
 * Default `generation_config.chunk_length_schedule`
 * (https://elevenlabs.io/docs/api-reference/text-to-speech/v-1-text-to-speech-voice-id-stream-input).
 */
const DEFAULT_SCHEDULE = [120, 160, 250, 290];

/** The key a BOS message may carry: `xi-api-key` (schema), `xi_api_key` (asyncapi example) or `authorization`. */
function bosKey(msg: Record<string, unknown>): string | undefined {
  for (const k of ['xi-api-key', 'xi_api_key']) if (typeof msg[k] === 'string') return msg[k] as string;
  const auth = msg['authorization'];
  return typeof auth === 'string' ? auth.replace(/^Bearer /, '') : undefined;
}

/**
 * One `stream-input` socket: BOS (`" "`), texts ending with a space, optional `flush`, EOS (`""`); audio comes back
 * as `{"audio": base64, "isFinal": false, "alignment": ...}` and the end as `{"isFinal": true}` before a close 1000.
 */
export class ElevenLabsSession implements FakeElevenLabsSession {
  readonly received: unknown[] = [];
  readonly sent: unknown[] = [];
  readonly texts: string[] = [];
  readonly violations: string[] = [];
  keepalives = 0;
  flushes = 0;
  audioMessages = 0;
  eosReceived = false;
  closed: { code: number; reason: string; by: 'client' | 'server' } | undefined;
  readonly done: Promise<void>;
  private bos = false;
  private buffer = '';
  private schedule = DEFAULT_SCHEDULE;
  private scheduleStep = 0;
  private readonly queue: string[] = [];
  private pumping = false;
  private serverClosing = false;
  private stopped = false;
  private inactivity: ReturnType<typeof setTimeout> | undefined;
  private readonly timers = new Map<ReturnType<typeof setTimeout>, () => void>();

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    readonly index: number,
    readonly voiceId: string,
    readonly query: Readonly<Record<string, string>>,
    readonly headers: IncomingHttpHeaders,
    private readonly s: SessionSettings,
  ) {
    this.done = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString(), by: this.serverClosing ? 'server' : 'client' };
        this.stop();
        s.changed();
        resolve();
      });
    });
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.armInactivity();
  }

  close(code = 1000, reason = ''): void {
    if (this.closed || this.serverClosing) return;
    this.serverClosing = true;
    this.stop();
    if (code === 1006) {
      this.socket.destroy();
      this.ws.terminate();
    } else this.ws.close(code, reason);
  }

  private flag(text: string): void {
    this.violations.push(text);
    this.s.violation(`session ${this.index}: ${text}`);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
    let msg: unknown = text;
    if (!isBinary) {
      try {
        msg = JSON.parse(text);
      } catch {
        // recorded as raw text below
      }
    }
    this.received.push(msg);
    this.s.changed();
    if (this.stopped) return;
    if (this.eosReceived) return this.flag('frame after EOS');
    if (isBinary || typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.flag('frame is not a JSON object text frame');
      if (this.s.strict) this.close(1008, 'Invalid message received');
      return;
    }
    const m = msg as Record<string, unknown>;
    if (typeof m['text'] !== 'string') return this.flag('message without a text field');
    this.armInactivity();
    if (!this.bos) return this.onBos(m);
    const t = m['text'];
    if (t === '') return this.onEos();
    if (t.trim() === '') {
      this.keepalives += 1;
      return;
    }
    if (!t.endsWith(' ')) this.flag(`text does not end with a space: ${JSON.stringify(t)}`);
    this.texts.push(t);
    this.buffer += t;
    if (m['flush'] === true) this.flushes += 1;
    const due = this.schedule[Math.min(this.scheduleStep, this.schedule.length - 1)] ?? 120;
    if (m['flush'] === true || m['try_trigger_generation'] === true || this.buffer.length >= due) {
      this.scheduleStep += 1;
      this.release();
    }
  }

  private onBos(m: Record<string, unknown>): void {
    if (m['text'] !== ' ') {
      this.flag(`missing BOS: the first message must be {"text":" "}, got ${JSON.stringify(m['text'])}`);
      if (this.s.strict) this.close(1008, 'The first message must be the BOS message with a single space as text');
      return;
    }
    this.bos = true;
    if (!this.s.headerAuthenticated && bosKey(m) !== this.s.apiKey) {
      this.close(1008, 'invalid_api_key: Invalid API key');
      return;
    }
    const schedule = (m['generation_config'] as { chunk_length_schedule?: unknown } | undefined)?.chunk_length_schedule;
    if (Array.isArray(schedule) && schedule.every((n) => typeof n === 'number')) this.schedule = schedule as number[];
  }

  private onEos(): void {
    this.eosReceived = true;
    // An EOS before any content closes a reply that never spoke: what an accidental "" looks like.
    if (this.texts.length === 0) this.flag('empty text (EOS) before any content text');
    this.release();
    this.queue.push('\u0000eos');
    this.pump();
  }

  private release(): void {
    if (this.buffer === '') return;
    this.queue.push(this.buffer);
    this.buffer = '';
    this.pump();
  }

  private pump(): void {
    if (this.pumping || this.stopped || this.s.script.hang) return;
    this.pumping = true;
    void this.run().finally(() => {
      this.pumping = false;
    });
  }

  private async run(): Promise<void> {
    for (let item = this.queue.shift(); item !== undefined && !this.stopped; item = this.queue.shift()) {
      if (item === '\u0000eos') {
        this.send({ isFinal: true });
        this.close(1000, '');
        return;
      }
      await this.speak(item);
    }
  }

  private async speak(text: string): Promise<void> {
    const { encoding, sampleRate, chunkMs } = this.s;
    const audio = fakeSpeechAudio(speechDurationMs(text, this.s.msPerChar), sampleRate, encoding);
    const pieces = cutAudio(audio, sampleRate, encoding, chunkMs);
    const chars = [...text];
    let charAt = 0;
    for (let i = 0; i < pieces.length; i++) {
      if (this.faultFires()) return;
      await this.wait(i === 0 ? (this.s.script.firstChunkDelayMs ?? this.s.firstChunkDelayMs) : (this.s.script.chunkIntervalMs ?? this.s.chunkIntervalMs));
      if (this.stopped) return;
      const piece = pieces[i] ?? new Uint8Array(0);
      const msg: Record<string, unknown> = { audio: Buffer.from(piece).toString('base64'), isFinal: false };
      if (this.s.alignment) {
        // Characters spread over the chunks in proportion; times are relative to the chunk (stream-input reference).
        const until = i === pieces.length - 1 ? chars.length : Math.round(((i + 1) * chars.length) / pieces.length);
        const mine = chars.slice(charAt, until);
        charAt = until;
        const chunkDur = (piece.length / (sampleRate * (encoding === 'mulaw' ? 1 : 2))) * 1000;
        const each = mine.length > 0 ? chunkDur / mine.length : 0;
        const alignment = {
          chars: mine,
          charStartTimesMs: mine.map((_, k) => Math.round(k * each)),
          charsDurationsMs: mine.map(() => Math.round(each)),
        };
        msg['normalizedAlignment'] = alignment;
        msg['alignment'] = alignment;
      }
      this.send(msg);
      this.audioMessages += 1;
    }
  }

  private faultFires(): boolean {
    const { close, malformedAfterChunks } = this.s.script;
    if (close && this.audioMessages >= (close.afterChunks ?? 0)) {
      this.close(close.code, close.reason ?? '');
      return true;
    }
    if (malformedAfterChunks !== undefined && this.audioMessages >= malformedAfterChunks) {
      this.send('{"audio":"AAAA","isFinal":');
      this.stop();
      return true;
    }
    return false;
  }

  private send(message: object | string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.sent.push(message);
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
    this.s.changed();
  }

  private armInactivity(): void {
    if (this.inactivity !== undefined) clearTimeout(this.inactivity);
    const ms = this.s.inactivityTimeoutMs;
    this.inactivity = setTimeout(() => {
      // Reason text as ElevenLabs sends it (elevenlabs/elevenlabs-docs#426, maintainer's quote).
      // The full text is longer than a close reason may be (123 bytes, RFC 6455 §5.5), so it arrives cut, as there.
      const seconds = Math.round(ms / 1000);
      const reason = `Have not received a new text input within the timeout of ${seconds} seconds. Streaming input terminated. Please make sure to either feed the input in the timely manner, or to send the end of input text (empty string "") when done.`;
      this.close(1008, Buffer.from(reason).subarray(0, 123).toString('utf8'));
    }, ms);
  }

  private stop(): void {
    this.stopped = true;
    if (this.inactivity !== undefined) clearTimeout(this.inactivity);
    this.inactivity = undefined;
    for (const [t, resolve] of this.timers) {
      clearTimeout(t);
      resolve();
    }
    this.timers.clear();
    this.queue.length = 0;
  }

  private wait(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.set(t, resolve);
    });
  }
}
