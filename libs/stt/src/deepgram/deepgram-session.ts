import { type AudioChunk, MULAW_8K, sameFormat } from '@voice/audio-codec';
import { AudioRing } from '../audio-ring';
import { backoffDelayMs, sleep } from '../backoff';
import { classifyFailure, SttError } from '../errors';
import { EventQueue } from '../event-queue';
import type { SttEvent } from '../types';
import { type CloseInfo, DeepgramConnection, PROVIDER } from './deepgram-connection';
import { mapDeepgramMessage } from './deepgram-messages';
import type { DeepgramSettings } from './deepgram-options';

const BYTES_PER_SECOND = 8000; // μ-law 8 kHz mono
const FRAME_BYTES = 160; // replay in 20 ms frames, the cadence Twilio delivers live audio in
/** A connection that lived this long, or delivered a message, resets the failure count. */
const STABLE_AFTER_MS = 5000;

const toMs = (pos: number): number => (pos * 1000) / BYTES_PER_SECOND;

/**
 * One `transcribe()` call: a pump reads caller audio into a replay ring and sends it live; a supervisor keeps
 * one Deepgram socket open, reconnecting with backoff and replaying what was not finalized or not sent.
 * Positions are absolute byte offsets of caller audio since the stream start.
 */
export class DeepgramSession {
  private readonly events = new EventQueue<SttEvent>();
  private readonly stopCtl = new AbortController();
  private readonly ring: AudioRing;
  private input: AsyncIterator<AudioChunk> | undefined;
  private conn: DeepgramConnection | undefined;
  private connOffset = 0; // position where the current connection's time 0 lies
  private sentUpTo = 0; // audio before this was sent (on the current connection, or lost with the last one)
  private committed = 0; // audio before this was finalized by Deepgram
  private inputDone = false;
  private droppedThisOutage = 0;
  private gotMessage = false;
  private poke: (() => void) | undefined;

  constructor(private readonly s: DeepgramSettings) {
    this.ring = new AudioRing(Math.max(1, Math.round((s.replayBufferMs * BYTES_PER_SECOND) / 1000)));
  }

  private get stopped(): boolean {
    return this.stopCtl.signal.aborted;
  }

  async *run(audio: AsyncIterable<AudioChunk>, signal: AbortSignal): AsyncGenerator<SttEvent> {
    if (signal.aborted) return;
    const onAbort = (): void => this.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    void this.pump(audio);
    const supervisor = this.supervise().then(
      () => this.events.end(),
      (err: unknown) => this.fail(err),
    );
    try {
      yield* this.events;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.stop();
      await supervisor; // closes the socket (bounded by closeTimeoutMs)
    }
  }

  /** Quiet end: abort, consumer break, or after a fatal error. */
  private stop(): void {
    if (this.stopped) return;
    this.stopCtl.abort();
    this.events.end();
    this.wake();
    // A pending next() of the input cannot be cancelled; ask the producer to finish and do not wait for it.
    void Promise.resolve(this.input?.return?.()).catch(() => undefined);
  }

  private fail(err: unknown): void {
    const e =
      err instanceof SttError
        ? err
        : new SttError('STT_PROVIDER_ERROR', `${PROVIDER}: unexpected failure`, { provider: PROVIDER, retryable: false, cause: err });
    this.s.logger?.error({ code: e.code, status: e.status, closeCode: e.closeCode }, 'stt: giving up');
    this.events.fail(e);
    this.stop();
  }

  private wake(): void {
    const p = this.poke;
    this.poke = undefined;
    p?.();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => (this.poke = resolve));
  }

  // ---- caller audio ---------------------------------------------------------------------------------------

  private async pump(audio: AsyncIterable<AudioChunk>): Promise<void> {
    try {
      const it = (this.input = audio[Symbol.asyncIterator]());
      for (;;) {
        const r = await it.next();
        if (this.stopped) return;
        if (r.done) break;
        this.onChunk(r.value);
      }
    } catch (cause) {
      if (!this.stopped) this.fail(new SttError('STT_BAD_INPUT', `${PROVIDER}: the input audio stream failed`, { provider: PROVIDER, retryable: false, cause }));
      return;
    }
    this.inputDone = true;
    this.wake();
  }

  private onChunk(chunk: AudioChunk): void {
    if (!sameFormat(chunk.format, MULAW_8K)) {
      const f = chunk.format;
      this.fail(new SttError('STT_BAD_INPUT', `${PROVIDER}: expected mulaw 8000 Hz, got ${f.encoding} ${f.sampleRate} Hz`, { provider: PROVIDER, retryable: false }));
      return;
    }
    if (chunk.data.length === 0) return;
    const live = this.conn?.isOpen === true && this.sentUpTo === this.ring.end;
    const kept = this.ring.push(chunk.data);
    if (kept > this.sentUpTo) this.dropUnsent(kept - this.sentUpTo);
    if (live && this.conn) {
      this.conn.sendAudio(chunk.data);
      this.sentUpTo = this.ring.end;
    } else {
      this.wake();
    }
  }

  /** The ring evicted audio that never reached Deepgram: drop it, keep timestamps aligned, and say so. */
  private dropUnsent(bytes: number): void {
    this.sentUpTo += bytes;
    // A connection that is replaying skips these bytes, so its later times lie `bytes` further on.
    this.connOffset += bytes;
    const first = this.droppedThisOutage === 0;
    this.droppedThisOutage += bytes;
    if (first) {
      const msg = `${PROVIDER}: replay buffer full (${this.s.replayBufferMs} ms), dropping caller audio`;
      this.events.push({ type: 'error', error: new SttError('STT_BUFFER_OVERFLOW', msg, { provider: PROVIDER, retryable: true }) });
    }
  }

  // ---- connection -----------------------------------------------------------------------------------------

  private async supervise(): Promise<void> {
    const policy = this.s.reconnect;
    let failures = 0;
    let last: SttError | undefined;
    while (!this.stopped) {
      if (failures > 0) {
        if (failures > policy.maxAttempts) throw this.giveUp(last, failures);
        if (!(await sleep(backoffDelayMs(failures - 1, policy, last?.retryAfterMs), this.stopCtl.signal))) return;
      }
      let conn: DeepgramConnection | undefined;
      try {
        conn = await DeepgramConnection.open(this.s, (m) => this.onMessage(conn, m), this.stopCtl.signal);
      } catch (e) {
        if (this.stopped) return;
        last = e instanceof SttError ? e : classifyFailure({}, PROVIDER, e);
        if (!last.retryable) throw last;
        failures++;
        this.s.logger?.warn({ code: last.code, status: last.status, attempt: failures }, 'stt: connect failed');
        if (failures <= policy.maxAttempts) this.events.push({ type: 'error', error: last });
        continue;
      }
      const openedAt = Date.now();
      const close = await this.serve(conn);
      if (close === 'done' || this.stopped) return;
      if (this.gotMessage || Date.now() - openedAt >= STABLE_AFTER_MS) failures = 0;
      last = classifyFailure({ closeCode: close.code, reason: close.reason || undefined }, PROVIDER);
      if (!last.retryable) throw last;
      failures++;
      this.s.logger?.warn({ code: last.code, closeCode: close.code, reason: close.reason }, 'stt: connection lost');
      if (failures <= policy.maxAttempts) this.events.push({ type: 'error', error: last });
    }
  }

  private giveUp(last: SttError | undefined, failures: number): SttError {
    const code = last?.code ?? 'STT_CONNECTION_LOST';
    return new SttError(code, `${PROVIDER}: gave up after ${failures} failed attempts${last ? ` (${last.message})` : ''}`, {
      provider: PROVIDER,
      retryable: last?.retryable ?? true,
      status: last?.status,
      closeCode: last?.closeCode,
      cause: last,
    });
  }

  /** Runs one open connection until it closes ('done' when the stream ended normally). */
  private async serve(conn: DeepgramConnection): Promise<CloseInfo | 'done'> {
    // Replay from the end of what Deepgram finalized: that re-sends the cut utterance and the outage audio.
    const from = Math.max(this.committed, this.ring.start);
    if (this.droppedThisOutage > 0) {
      this.s.logger?.warn({ droppedMs: toMs(this.droppedThisOutage) }, 'stt: caller audio dropped during the outage');
    }
    this.droppedThisOutage = 0;
    this.gotMessage = false;
    this.conn = conn;
    this.connOffset = from;
    this.sentUpTo = from;
    let closed: CloseInfo | undefined;
    const done = conn.closed.then((c) => {
      closed = c;
      this.wake();
    });
    try {
      while (!this.stopped && !closed) {
        await this.drain(conn, () => closed !== undefined);
        if (this.stopped || closed) break;
        if (this.inputDone && this.sentUpTo === this.ring.end) return await this.finish(conn);
        // Caught up: the pump now sends live. Wake on: input end, a close, a stop, or audio to drain again.
        await this.changed();
      }
      return closed ?? 'done';
    } finally {
      this.poke = undefined;
      if (!closed) await conn.close();
      await done;
      this.conn = undefined;
    }
  }

  /** Sends ring audio past `sentUpTo`, paced at `replayRate` × real time after a `replayBurstMs` burst. */
  private async drain(conn: DeepgramConnection, isClosed: () => boolean): Promise<void> {
    const t0 = Date.now();
    const burst = (this.s.replayBurstMs * BYTES_PER_SECOND) / 1000;
    let sent = 0;
    while (!this.stopped && !isClosed() && conn.isOpen && this.sentUpTo < this.ring.end) {
      const allowance = Math.floor(burst + ((Date.now() - t0) * this.s.replayRate * BYTES_PER_SECOND) / 1000 - sent);
      if (allowance < FRAME_BYTES) {
        if (!(await sleep(20, this.stopCtl.signal))) return;
        continue;
      }
      const to = Math.min(this.ring.end, this.sentUpTo + Math.min(allowance, FRAME_BYTES));
      const bytes = this.ring.read(this.sentUpTo, to);
      conn.sendAudio(bytes);
      sent += bytes.length;
      this.sentUpTo = to;
    }
  }

  /** Input ended and everything was sent: Finalize + CloseStream, then wait (bounded) for Metadata and the close. */
  private async finish(conn: DeepgramConnection): Promise<CloseInfo | 'done'> {
    conn.finish();
    const timedOut = !(await Promise.race([conn.closed.then(() => true), sleep(this.s.closeTimeoutMs, this.stopCtl.signal).then(() => false)]));
    if (timedOut) {
      if (!this.stopped) this.s.logger?.warn({ closeTimeoutMs: this.s.closeTimeoutMs }, 'stt: no Metadata/close after CloseStream');
      return 'done';
    }
    const c = await conn.closed;
    // An abnormal close before the flush completed leaves audio unfinalized: reconnect and replay it.
    if (c.code !== 1000 && this.committed < this.ring.end) return c;
    return 'done';
  }

  private onMessage(conn: DeepgramConnection | undefined, m: unknown): void {
    if (this.stopped || conn === undefined || conn !== this.conn) return;
    this.gotMessage = true;
    const msg = mapDeepgramMessage(m, toMs(this.connOffset));
    if (msg.kind === 'invalid') {
      this.s.logger?.warn({ detail: msg.detail }, 'stt: malformed Deepgram message');
      const error = new SttError('STT_PROTOCOL', `${PROVIDER}: malformed message (${msg.detail})`, { provider: PROVIDER, retryable: false });
      this.events.push({ type: 'error', error });
      return;
    }
    if (msg.kind !== 'event') return;
    if (msg.finalEndSec !== undefined) {
      const end = this.connOffset + Math.round(msg.finalEndSec * BYTES_PER_SECOND);
      this.committed = Math.max(this.committed, Math.min(end, this.sentUpTo));
      this.ring.discardBefore(this.committed);
    }
    if (msg.event) this.events.push(msg.event);
  }
}
