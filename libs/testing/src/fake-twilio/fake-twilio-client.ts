import WebSocket, { type RawData } from 'ws';
import { checkGatewayFrame } from './gateway-frame';
import { mediaGapStats, type MediaGapStats } from './gap-stats';
import { toFrames, toMulaw8k, type TwilioCallerAudio } from './media-source';
import { TWILIO_PLAYBACK_BYTES_PER_SECOND, TwilioPlayback, realClock, type TwilioClock } from './playback';
import { signUpgrade } from './sign';
import { newTwilioSid } from './sids';
import {
  FakeTwilioUpgradeError,
  type FakeTwilioClientOptions,
  type TwilioCloseInfo,
  type TwilioMarkRecord,
  type TwilioReceivedFrame,
  type TwilioSendAudioOptions,
  type TwilioViolation,
} from './types';

/**
 * Plays Twilio's side of a bidirectional Media Stream against a gateway: `connected`, `start`, caller audio as 20 ms
 * `media` frames on deadlines, `dtmf`, `stop`; buffers and "plays" what the gateway sends at 8000 B/s, echoes marks
 * like Twilio (https://www.twilio.com/docs/voice/media-streams/websocket-messages) and records every frame, every
 * violation and every mark.
 */

export class FakeTwilioClient {
  readonly accountSid: string;
  readonly callSid: string;
  readonly streamSid: string;
  /** Everything the gateway sent, in order. */
  readonly received: TwilioReceivedFrame[] = [];
  readonly marks: TwilioMarkRecord[] = [];
  readonly clears: number[] = [];
  readonly violations: TwilioViolation[] = [];
  /** Socket errors seen (the client never throws them at the event loop). */
  readonly errors: Error[] = [];
  closeInfo: TwilioCloseInfo | undefined;

  private readonly clock: TwilioClock;
  private readonly playback: TwilioPlayback;
  private readonly mediaArrivals: number[] = [];
  private readonly mediaParts: Uint8Array[] = [];
  private ws: WebSocket | undefined;
  private closedPromise: Promise<TwilioCloseInfo> | undefined;
  private startedAt: number | undefined;
  private seq = 0;
  private chunk = 0;
  private nextDeadline: number | undefined;
  private sendChain: Promise<void> = Promise.resolve();
  private readonly lifetime = new AbortController();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: FakeTwilioClientOptions) {
    this.accountSid = options.accountSid ?? newTwilioSid('AC');
    this.callSid = options.callSid ?? newTwilioSid('CA');
    this.streamSid = options.streamSid ?? newTwilioSid('MZ');
    this.clock = options.clock ?? realClock;
    this.playback = new TwilioPlayback((name, flushed) => this.echoMark(name, flushed), this.clock);
  }

  /** Opens the socket (rejects with `FakeTwilioUpgradeError` on a non-101 answer), then sends connected + start. */
  async connect(): Promise<this> {
    const headers: Record<string, string> = { ...this.options.headers };
    if (this.options.authToken !== undefined) {
      headers['X-Twilio-Signature'] = signUpgrade(this.options.authToken, this.options.signedUrl ?? this.options.url);
    }
    const ws = new WebSocket(this.options.url, { ...this.options.wsOptions, headers });
    this.ws = ws;
    ws.on('error', (error) => this.errors.push(error));
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    this.closedPromise = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this.shutdown();
        resolve(this.closeInfo);
      }),
    );
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        reject(new FakeTwilioUpgradeError(res.statusCode ?? 0));
        ws.terminate();
      });
      ws.once('close', () => reject(this.errors.at(-1) ?? new Error('socket closed before the upgrade completed')));
    });
    if (this.options.autoStart !== false) {
      this.sendConnected();
      this.sendStart();
    }
    return this;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  get started(): boolean {
    return this.startedAt !== undefined;
  }

  /** Resolves when the socket has closed (by either side). */
  closed(): Promise<TwilioCloseInfo> {
    return this.closedPromise ?? Promise.resolve({ code: 1006, reason: 'never connected' });
  }

  sendConnected(): void {
    this.send('{"event":"connected","protocol":"Call","version":"1.0.0"}');
  }

  /** The `start` message (sequenceNumber 1); the stream clock starts here. */
  sendStart(): void {
    const start = {
      event: 'start',
      sequenceNumber: this.nextSeq(),
      start: {
        accountSid: this.accountSid,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: { ...this.options.customParameters },
      },
      streamSid: this.streamSid,
    };
    this.startedAt = this.clock.now();
    this.send(JSON.stringify(start));
  }

  /** Sends caller audio (μ-law, PCM16 at any rate, or WAV) as 160-byte frames; calls queue behind each other. */
  sendAudio(audio: TwilioCallerAudio, options: TwilioSendAudioOptions = {}): Promise<void> {
    if (this.ws === undefined) return Promise.reject(new Error('FakeTwilioClient: call connect() first'));
    const frames = toFrames(toMulaw8k(audio));
    const run = this.sendChain.then(() => this.streamFrames(frames, options));
    this.sendChain = run.catch(() => undefined);
    return run;
  }

  sendMulaw(mulaw: Uint8Array, options?: TwilioSendAudioOptions): Promise<void> {
    return this.sendAudio({ mulaw }, options);
  }

  sendPcm16(pcm16: Int16Array, sampleRate: number, options?: TwilioSendAudioOptions): Promise<void> {
    return this.sendAudio({ pcm16, sampleRate }, options);
  }

  sendWav(wav: Uint8Array, options?: TwilioSendAudioOptions): Promise<void> {
    return this.sendAudio({ wav }, options);
  }

  /** μ-law silence (0xFF), what Twilio streams while the caller says nothing. */
  sendSilence(ms: number, options?: TwilioSendAudioOptions): Promise<void> {
    return this.sendAudio({ mulaw: new Uint8Array(Math.round((ms * TWILIO_PLAYBACK_BYTES_PER_SECOND) / 1000)).fill(0xff) }, options);
  }

  sendDtmf(digit: string): void {
    const dtmf = { event: 'dtmf', streamSid: this.streamSid, sequenceNumber: this.nextSeq(), dtmf: { track: 'inbound_track', digit } };
    this.send(JSON.stringify(dtmf));
  }

  /** `stop`: the call ended. */
  sendStop(): void {
    const stop = { event: 'stop', sequenceNumber: this.nextSeq(), stop: { accountSid: this.accountSid, callSid: this.callSid }, streamSid: this.streamSid };
    this.send(JSON.stringify(stop));
  }

  /** Anything at all, for malformed-frame tests. */
  sendRaw(data: string | Uint8Array, options: { binary?: boolean } = {}): void {
    this.ws?.send(data, { binary: options.binary ?? typeof data !== 'string' });
  }

  /** Twilio ending the call: `stop`, then close. */
  async hangUp(): Promise<TwilioCloseInfo> {
    if (this.isOpen) this.sendStop();
    return this.close();
  }

  /** Closes the socket (terminates it if the gateway does not answer the close within 1 s) and stops all timers. */
  async close(code = 1000): Promise<TwilioCloseInfo> {
    this.shutdown();
    const ws = this.ws;
    if (ws === undefined) return this.closed();
    if (ws.readyState === WebSocket.OPEN) ws.close(code);
    else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    const guard = setTimeout(() => ws.terminate(), 1000);
    try {
      return await this.closed();
    } finally {
      clearTimeout(guard);
    }
  }

  /** Every media byte received from the gateway, in order. */
  receivedAudio(): Uint8Array {
    return concat(this.mediaParts);
  }

  /** What the caller actually heard: received audio minus what `clear` dropped before it played. */
  playedAudio(): Uint8Array {
    return this.playback.playedAudio();
  }

  clearedBytes(): number {
    return this.playback.clearedBytes();
  }

  /** Audio buffered and not yet played, in ms. */
  bufferedMs(): number {
    return (this.playback.bufferedBytes() * 1000) / TWILIO_PLAYBACK_BYTES_PER_SECOND;
  }

  /** Media frames sent so far (the last `media.chunk`). */
  get mediaFramesSent(): number {
    return this.chunk;
  }

  /** Arrival times (performance.now() ms) of the gateway's media frames. */
  mediaArrivalTimes(): readonly number[] {
    return this.mediaArrivals;
  }

  /** Inter-frame gap statistics of received media. */
  mediaGaps(overMs?: number): MediaGapStats {
    return mediaGapStats(this.mediaArrivals, overMs);
  }

  /** Resolves once `predicate(this)` holds; checked on every frame and every 5 ms. Rejects after `timeoutMs`. */
  async waitFor(predicate: (client: this) => boolean, timeoutMs = 2000): Promise<void> {
    if (predicate(this)) return;
    let check: () => void = () => undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        check = () => {
          try {
            if (predicate(this)) resolve();
          } catch (error) {
            reject(error);
          }
        };
        this.listeners.add(check);
        poll = setInterval(check, 5);
        timeout = setTimeout(() => reject(new Error(`waitFor: condition not met within ${timeoutMs} ms`)), timeoutMs);
      });
    } finally {
      this.listeners.delete(check);
      clearInterval(poll);
      clearTimeout(timeout);
    }
  }

  private async streamFrames(frames: readonly Uint8Array[], options: TwilioSendAudioOptions): Promise<void> {
    const realtime = options.realtime ?? true;
    const signal = options.signal;
    const now = this.clock.now();
    // After a pause the stream resumes now; within one call deadlines are start + n·20 ms (late frames catch up).
    if (this.nextDeadline === undefined || this.nextDeadline < now) this.nextDeadline = now;
    for (const frame of frames) {
      if (realtime) await this.sleepUntil(this.nextDeadline, signal);
      if (signal?.aborted === true || this.lifetime.signal.aborted || !this.isOpen) return;
      this.chunk += 1;
      const timestamp = Math.max(0, Math.round(this.nextDeadline - (this.startedAt ?? this.nextDeadline)));
      const payload = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('base64');
      const media = `{"event":"media","sequenceNumber":"${this.nextSeq()}","media":{"track":"inbound","chunk":"${this.chunk}","timestamp":"${timestamp}","payload":"${payload}"},"streamSid":${JSON.stringify(this.streamSid)}}`;
      this.send(media);
      this.nextDeadline += 20;
    }
  }

  /** Waits until the clock reaches `deadline` (re-arming if a timer fires a fraction early), or an abort. */
  private async sleepUntil(deadline: number, signal: AbortSignal | undefined): Promise<void> {
    let handle: unknown;
    let wake: () => void = () => undefined;
    const onAbort = (): void => wake();
    signal?.addEventListener('abort', onAbort);
    this.lifetime.signal.addEventListener('abort', onAbort);
    try {
      for (let delay = deadline - this.clock.now(); delay > 0; delay = deadline - this.clock.now()) {
        if (signal?.aborted === true || this.lifetime.signal.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          handle = this.clock.setTimeout(resolve, Math.ceil(delay));
        });
        this.clock.clearTimeout(handle);
      }
    } finally {
      this.clock.clearTimeout(handle);
      signal?.removeEventListener('abort', onAbort);
      this.lifetime.signal.removeEventListener('abort', onAbort);
    }
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    const at = this.clock.now();
    const text = isBinary ? undefined : rawText(data);
    const check = checkGatewayFrame(text, isBinary, this.started ? this.streamSid : undefined);
    this.received.push({ at, binary: isBinary, text, frame: check.ok ? check.frame : undefined });
    if (!check.ok) {
      this.violations.push({ ...check.violation, at, frame: (text ?? `<binary frame, ${rawBytes(data)} bytes>`).slice(0, 200) });
    } else if (check.frame.event === 'media') {
      this.mediaArrivals.push(at);
      this.mediaParts.push(check.frame.audio);
      if (!this.playback.enqueueAudio(check.frame.audio) && !this.violations.some((v) => v.code === 'buffer-overflow')) {
        // Twilio raises 31931 once per stream and discards the audio.
        this.violations.push({ code: 'buffer-overflow', twilioCode: 31931, message: 'more than 10 minutes of audio buffered', at, frame: '' });
      }
    } else if (check.frame.event === 'mark') {
      this.marks.push({ name: check.frame.name, receivedAt: at, echoedAt: undefined, flushed: undefined });
      this.playback.enqueueMark(check.frame.name);
    } else {
      this.clears.push(at);
      this.playback.clear();
    }
    this.notify();
  }

  private echoMark(name: string, flushed: boolean): void {
    const record = this.marks.find((m) => m.name === name && m.echoedAt === undefined);
    if (record !== undefined) {
      record.echoedAt = this.clock.now();
      record.flushed = flushed;
    }
    const mark = { event: 'mark', sequenceNumber: this.nextSeq(), streamSid: this.streamSid, mark: { name } };
    this.send(JSON.stringify(mark));
    this.notify();
  }

  private send(text: string): void {
    if (this.isOpen) this.ws?.send(text);
  }

  private nextSeq(): string {
    this.seq += 1;
    return String(this.seq);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private shutdown(): void {
    this.lifetime.abort();
    this.playback.stop();
  }
}

/** `new FakeTwilioClient(options).connect()`. */
export function connectFakeTwilio(options: FakeTwilioClientOptions): Promise<FakeTwilioClient> {
  return new FakeTwilioClient(options).connect();
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function rawBytes(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
