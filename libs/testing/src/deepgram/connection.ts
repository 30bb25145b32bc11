import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import {
  type FakeDeepgramWord,
  metadataJson,
  resultsJson,
  speechStartedJson,
  spreadWords,
  utteranceEndJson,
} from './messages';
import type { DeepgramScriptStep } from './script';

/** A client → server text frame the fake received (KeepAlive, Finalize, CloseStream or anything else). */
export interface FakeDeepgramControl {
  /** `type` of the JSON, or '<invalid>' when the frame was not JSON. */
  readonly type: string;
  readonly raw: string;
  /** Milliseconds since the connection opened. */
  readonly atMs: number;
  /** Audio bytes received on this connection before this frame. */
  readonly atBytes: number;
}

/** Everything that crossed one accepted WebSocket, for tests to assert on. */
export interface FakeDeepgramConnection {
  readonly index: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  /** Every binary frame, in order. */
  readonly audioFrames: readonly Buffer[];
  readonly bytesReceived: number;
  /** Binary frames of zero length (Deepgram treats one as a deprecated close; a client should never send it). */
  readonly zeroLengthFrames: number;
  readonly controls: readonly FakeDeepgramControl[];
  /** Server → client text frames, parsed when they were JSON. */
  readonly sent: readonly unknown[];
  /** Set once closed. `closedBy` says who started it; 'idle' is the fake's NET-0001. */
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;
  readonly closedBy: 'client' | 'server' | 'reset' | 'idle' | undefined;
  readonly closed: Promise<void>;
  /** All audio bytes received, concatenated. */
  audioBytes(): Buffer;
}

export interface ConnectionSettings {
  readonly index: number;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly script: readonly DeepgramScriptStep[];
  readonly idleTimeoutMs: number;
  readonly bytesPerSecond: number;
  readonly finalizeText: string;
}

/** Drives one accepted socket: records frames, runs the script, answers the control messages. */
export class FakeDeepgramSession implements FakeDeepgramConnection {
  readonly index: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly audioFrames: Buffer[] = [];
  readonly controls: FakeDeepgramControl[] = [];
  readonly sent: unknown[] = [];
  readonly closed: Promise<void>;
  bytesReceived = 0;
  zeroLengthFrames = 0;
  closeCode: number | undefined;
  closeReason: string | undefined;
  closedBy: 'client' | 'server' | 'reset' | 'idle' | undefined;

  private readonly steps: DeepgramScriptStep[];
  private nextStep = 0;
  private readonly openedAt = Date.now();
  private readonly idleTimer: NodeJS.Timeout;
  private readonly hash = createHash('sha256');
  private segmentStart = 0;
  private lastWordEnd = 0;
  private pendingInterim: FakeDeepgramWord[] | undefined;
  private hung = false;
  private ending = false;
  private resolveClosed!: () => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly settings: ConnectionSettings,
  ) {
    this.index = settings.index;
    this.path = settings.path;
    this.query = settings.query;
    this.headers = settings.headers;
    this.requestId = settings.requestId;
    this.steps = [...settings.script].sort((a, b) => a.atBytes - b.atBytes);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    // NET-0001 (https://developers.deepgram.com/docs/audio-keep-alive): no binary or text frame from the client within
    // the window closes the stream.
    this.idleTimer = setTimeout(() => this.onIdle(), settings.idleTimeoutMs);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    ws.on('error', () => undefined); // a reset surfaces as 'close' 1006 too
    this.runSteps();
  }

  audioBytes(): Buffer {
    return Buffer.concat(this.audioFrames);
  }

  /** Seconds of audio received on this connection. */
  private get now(): number {
    return this.bytesReceived / this.settings.bytesPerSecond;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closedBy !== undefined) return;
    this.idleTimer.refresh();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      if (buf.length === 0) {
        this.zeroLengthFrames++;
        return;
      }
      this.audioFrames.push(buf);
      this.hash.update(buf);
      this.bytesReceived += buf.length;
      this.runSteps();
      return;
    }
    const raw = buf.toString('utf8');
    let type = '<invalid>';
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string') {
        type = (parsed as { type: string }).type;
      }
    } catch {
      // recorded as '<invalid>'
    }
    this.controls.push({ type, raw, atMs: Date.now() - this.openedAt, atBytes: this.bytesReceived });
    if (type === 'Finalize') this.finalize(true);
    else if (type === 'CloseStream') this.closeStream();
  }

  private runSteps(): void {
    while (this.nextStep < this.steps.length && this.steps[this.nextStep].atBytes <= this.bytesReceived) {
      const step = this.steps[this.nextStep++];
      if (this.hung || this.closedBy !== undefined || this.ending) return;
      this.runStep(step);
    }
  }

  private runStep(step: DeepgramScriptStep): void {
    switch (step.kind) {
      case 'speech_started':
        this.send(speechStartedJson(step.timestamp ?? this.segmentStart));
        return;
      case 'interim': {
        const words = this.words(step.text);
        this.pendingInterim = words;
        this.sendResults(words, false, false, false);
        return;
      }
      case 'final':
        this.pendingInterim = undefined;
        this.sendResults(this.words(step.text), true, step.speechFinal ?? true, false);
        return;
      case 'utterance_end':
        this.send(utteranceEndJson(this.lastWordEnd));
        return;
      case 'close':
        this.serverClose('server', step.code, step.reason);
        return;
      case 'reset':
        this.closedBy = 'reset';
        clearTimeout(this.idleTimer);
        this.socket.resetAndDestroy();
        return;
      case 'raw':
        this.sendRaw(step.text);
        return;
      case 'hang':
        this.hung = true;
        clearTimeout(this.idleTimer);
        return;
    }
  }

  private words(text: string | readonly FakeDeepgramWord[]): FakeDeepgramWord[] {
    return typeof text === 'string' ? spreadWords(text, this.segmentStart, this.now) : [...text];
  }

  private sendResults(words: FakeDeepgramWord[], isFinal: boolean, speechFinal: boolean, fromFinalize: boolean): void {
    const end = Math.max(this.now, ...words.map((w) => w.end));
    const punctuate = this.query['smart_format'] === 'true' || this.query['punctuate'] === 'true';
    this.send(
      resultsJson({ requestId: this.requestId, start: this.segmentStart, end, words, isFinal, speechFinal, fromFinalize, punctuate }),
    );
    if (words.length > 0) this.lastWordEnd = words[words.length - 1].end;
    if (isFinal) this.segmentStart = end;
  }

  /** Finalize flushes what is pending as a final with `from_finalize: true` (Deepgram "finalize" doc). */
  private finalize(fromFinalize: boolean): void {
    if (this.hung) return;
    const words = this.pendingInterim ?? spreadWords(this.settings.finalizeText, this.segmentStart, this.now);
    this.pendingInterim = undefined;
    if (!fromFinalize && words.length === 0 && this.now <= this.segmentStart) return;
    this.sendResults(words, true, false, fromFinalize);
  }

  /** CloseStream: final results, then the summary Metadata, then a normal close. */
  private closeStream(): void {
    if (this.hung || this.ending) return;
    this.ending = true;
    if (this.pendingInterim) this.finalize(false);
    this.send(metadataJson({ requestId: this.requestId, sha256: this.hash.copy().digest('hex'), duration: this.now }));
    this.serverClose('server', 1000, '');
  }

  private onIdle(): void {
    if (this.closedBy !== undefined || this.hung) return;
    this.serverClose('idle', 1011, 'NET-0001');
  }

  private serverClose(by: 'server' | 'idle', code: number, reason: string): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = by;
    this.closeCode = code;
    this.closeReason = reason;
    clearTimeout(this.idleTimer);
    this.ws.close(code, reason);
  }

  private send(message: Record<string, unknown> | object): void {
    this.sent.push(message);
    this.ws.send(JSON.stringify(message));
  }

  private sendRaw(text: string): void {
    this.sent.push(text);
    this.ws.send(text);
  }

  private onClose(code: number, reason: string): void {
    clearTimeout(this.idleTimer);
    if (this.closedBy === undefined) {
      this.closedBy = 'client';
      this.closeCode = code;
      this.closeReason = reason;
    } else if (this.closedBy === 'reset') {
      this.closeCode = code;
      this.closeReason = reason;
    }
    this.resolveClosed();
  }
}
