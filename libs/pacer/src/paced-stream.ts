import { ByteQueue } from './byte-queue';
import * as C from './constants';
import type { HeapItem } from './deadline-heap';
import { PacerError } from './errors';
import type { MediaSink, PacerMetrics, SchedulerConfig, StreamConfig } from './options';

// Module-local copies: CommonJS output reads imports through getters, which showed up in send-loop profiles.
const { BYTES_PER_MS, FRAME_BYTES, FRAME_MS, MULAW_SILENCE } = C;

/** What `clear()` dropped: audio the caller will not hear and marks that were never sent. */
export interface ClearReport {
  droppedBytes: number;
  droppedMs: number;
  droppedMarks: string[];
}

/** idle: no reply in flight; buffering: holding the jitter buffer; playing: on its 20 ms grid. */
export type StreamPhase = 'idle' | 'buffering' | 'playing' | 'closed';

export interface PacedStreamStats {
  phase: StreamPhase;
  /** Audio waiting in the pacer (full frames plus a partial remainder), in ms. */
  queuedMs: number;
  /** Highest `queuedMs` seen. */
  maxQueuedMs: number;
  framesSent: number;
  marksSent: number;
  /** Times the queue ran dry at a frame deadline before `endOfReply()` (once per dry spell). */
  underruns: number;
  /** Frames sent more than `lateToleranceMs` after their deadline. */
  lateSends: number;
  /** Times the stream was served after all its sent audio had played out (grid re-anchored). */
  stalls: number;
}

/** One call's outbound audio, paced by the shared scheduler. */
export interface PacedStream {
  readonly id: string;
  /** Queues μ-law of any length; copied. Throws PACER_QUEUE_FULL (nothing queued) beyond `maxQueuedMs`. */
  enqueue(mulaw: Uint8Array): void;
  /** Sends `name` after every frame queued so far. A partial frame is padded with silence first. */
  mark(name: string): void;
  /** No more audio for this reply: pads the remainder and releases the jitter buffer. */
  endOfReply(): void;
  /** Drops everything queued, at once; nothing queued before it is sent afterwards. */
  clear(): ClearReport;
  /** Drops the queue and detaches from the scheduler. Idempotent. */
  close(): void;
  /** Resolves when at most `ms` of audio is queued; rejects with `signal.reason` on abort, PACER_CLOSED on close. */
  whenBelow(ms: number, signal?: AbortSignal): Promise<void>;
  stats(): PacedStreamStats;
}

/** What a stream needs from its scheduler. */
export interface StreamHost {
  readonly config: SchedulerConfig;
  /** Wake this stream at `dueAt` (absolute ms), or never (null). */
  schedule(stream: StreamCore, dueAt: number | null): void;
  detach(stream: StreamCore): void;
}

interface Waiter {
  readonly belowMs: number;
  settle(error?: unknown): void;
}

interface PendingMark {
  readonly name: string;
  readonly atFrame: number; // send once this many frames have gone out
}

export class StreamCore implements PacedStream, HeapItem {
  dueAt = Infinity;
  heapIndex = -1;
  readonly id: string;
  readonly #host: StreamHost;
  readonly #sink: MediaSink;
  readonly #cfg: StreamConfig;
  readonly #queue = new ByteQueue();
  readonly #frame = new Uint8Array(FRAME_BYTES);
  #marks: PendingMark[] = [];
  #waiters: Waiter[] = [];
  #waiterCeilMs = -Infinity; // largest threshold among waiters: the per-frame check is one comparison
  #phase: StreamPhase = 'idle';
  #ended = false; // endOfReply() seen for the audio now queued
  #dry = false; // underrun counted; waiting for audio
  #holdSince = 0; // when the jitter buffer started holding
  #anchor = 0; // start of the current burst: no deadline is earlier
  #playEnd = -Infinity; // when everything sent so far finishes playing at Twilio
  #epoch = 0; // bumped by clear/close so a re-entrant sink call stops an in-progress send loop
  #closeError: PacerError | undefined;
  #framesSent = 0;
  #marksSent = 0;
  #underruns = 0;
  #lateSends = 0;
  #stalls = 0;
  #maxQueuedBytes = 0;

  constructor(id: string, sink: MediaSink, cfg: StreamConfig, host: StreamHost) {
    this.id = id;
    this.#sink = sink;
    this.#cfg = cfg;
    this.#host = host;
  }

  enqueue(mulaw: Uint8Array): void {
    this.#assertOpen('enqueue');
    if (mulaw.length === 0) return;
    const limit = this.#cfg.maxQueuedMs * BYTES_PER_MS;
    if (this.#queue.length + mulaw.length > limit) {
      throw new PacerError(
        'PACER_QUEUE_FULL',
        `stream ${this.id}: ${mulaw.length} bytes would exceed maxQueuedMs ${this.#cfg.maxQueuedMs} (${this.#queue.length} queued); await whenBelow()`,
      );
    }
    this.#queue.push(mulaw);
    if (this.#queue.length > this.#maxQueuedBytes) this.#maxQueuedBytes = this.#queue.length;
    this.#ended = false;
    this.#afterGrow();
  }

  mark(name: string): void {
    this.#assertOpen('mark');
    // A mark tells what the caller heard (Twilio echoes it once the media sent before it has played,
    // https://www.twilio.com/docs/voice/media-streams/websocket-messages); splitting a frame would put part of the next
    // segment before it, so the segment's tail is padded to a frame boundary instead (< 20 ms of silence).
    this.#padRemainder();
    const atFrame = this.#framesSent + this.#queue.length / FRAME_BYTES;
    if (atFrame <= this.#framesSent) {
      this.#marksSent++;
      this.#deliver(name);
      return;
    }
    this.#marks.push({ name, atFrame });
    this.#afterGrow();
  }

  endOfReply(): void {
    this.#assertOpen('endOfReply');
    this.#padRemainder();
    if (this.#phase === 'idle') return;
    this.#ended = true;
    this.#afterGrow();
  }

  clear(): ClearReport {
    if (this.#phase === 'closed') return { droppedBytes: 0, droppedMs: 0, droppedMarks: [] };
    const droppedBytes = this.#queue.clear();
    const droppedMarks = this.#marks.map((m) => m.name);
    this.#marks = [];
    this.#epoch++;
    this.#phase = 'idle';
    this.#ended = false;
    this.#dry = false;
    // The caller of clear() sends Twilio `clear` too, which empties Twilio's buffer: the next reply starts a burst.
    this.#playEnd = -Infinity;
    this.#host.schedule(this, null);
    this.#notifyWaiters();
    return { droppedBytes, droppedMs: droppedBytes / BYTES_PER_MS, droppedMarks };
  }

  close(): void {
    this.#closeWith(new PacerError('PACER_CLOSED', `stream ${this.id} is closed`));
  }

  whenBelow(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#closeError) return Promise.reject(this.#closeError);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length / BYTES_PER_MS <= ms) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => waiter.settle(signal?.reason);
      const waiter: Waiter = {
        belowMs: ms,
        settle: (error?: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          this.#waiterCeilMs = this.#waiters.reduce((m, w) => Math.max(m, w.belowMs), -Infinity);
          if (error === undefined) resolve();
          else reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      if (ms > this.#waiterCeilMs) this.#waiterCeilMs = ms;
    });
  }

  stats(): PacedStreamStats {
    return {
      phase: this.#phase,
      queuedMs: this.#queue.length / BYTES_PER_MS,
      maxQueuedMs: this.#maxQueuedBytes / BYTES_PER_MS,
      framesSent: this.#framesSent,
      marksSent: this.#marksSent,
      underruns: this.#underruns,
      lateSends: this.#lateSends,
      stalls: this.#stalls,
    };
  }

  /** Scheduler entry: this stream's `dueAt` has come (within `coalesceMs`). Reschedules or unschedules itself. */
  onDue(now: number): void {
    if (this.#phase === 'buffering') this.#tryRelease(now);
    else if (this.#phase === 'playing') this.#serve(now);
    else this.#host.schedule(this, null);
  }

  #closeWith(error: PacerError): void {
    if (this.#phase === 'closed') return;
    this.#epoch++;
    this.#queue.clear();
    this.#marks = [];
    this.#phase = 'closed';
    this.#closeError = error;
    this.#host.detach(this);
    for (const w of [...this.#waiters]) w.settle(error);
  }

  #assertOpen(op: string): void {
    if (this.#closeError) {
      throw new PacerError('PACER_CLOSED', `stream ${this.id}: ${op} after close`, { cause: this.#closeError });
    }
  }

  #padRemainder(): void {
    const rem = this.#queue.length % FRAME_BYTES;
    if (rem !== 0) this.#queue.fill(MULAW_SILENCE, FRAME_BYTES - rem);
  }

  /** Audio, a mark's padding or endOfReply arrived: start, release or resume as the phase allows. */
  #afterGrow(): void {
    const now = this.#host.config.clock.now();
    if (this.#phase === 'idle') {
      if (this.#queue.length === 0) return;
      this.#phase = 'buffering';
      this.#holdSince = now;
      this.#tryRelease(now);
    } else if (this.#phase === 'buffering') {
      this.#tryRelease(now);
    } else if (this.#phase === 'playing' && this.#dry && (this.#ended || this.#queue.length >= FRAME_BYTES)) {
      this.#dry = false;
      if (now - this.#playEnd > FRAME_MS) {
        // Twilio has run out while we waited: the caller hears a gap either way, so rebuffer as for a new reply,
        // counting the hold from when the audio stopped.
        this.#phase = 'buffering';
        this.#holdSince = this.#playEnd;
        this.#tryRelease(now);
      } else {
        this.#serve(now); // Twilio still holds audio (the lead): continue on the same grid
      }
    }
  }

  /**
   * The jitter-buffer rule. The first frame of a reply goes out when (1) `endOfReply()` was called (any amount),
   * or (2) at least `jitterBufferMs` of whole frames are queued, or (3) at least `jitterBufferMinMs` are queued and
   * the reply has already waited `jitterBufferMs`. So holding never costs more than `jitterBufferMs` of latency
   * unless the producer has delivered less than `jitterBufferMinMs`.
   */
  #tryRelease(now: number): void {
    const { jitterBufferMs, jitterBufferMinMs } = this.#cfg;
    const queuedMs = Math.floor(this.#queue.length / FRAME_BYTES) * FRAME_MS;
    if (queuedMs === 0) {
      if (this.#ended) this.#finishReply();
      else this.#host.schedule(this, null);
      return;
    }
    const holdUntil = this.#holdSince + jitterBufferMs;
    const horizon = now + this.#host.config.coalesceMs;
    if (this.#ended || queuedMs >= jitterBufferMs || (queuedMs >= jitterBufferMinMs && holdUntil <= horizon)) {
      this.#phase = 'playing';
      this.#dry = false;
      if (this.#playEnd < now) this.#playEnd = now;
      this.#anchor = now;
      this.#serve(now);
    } else {
      this.#host.schedule(this, queuedMs >= jitterBufferMinMs ? holdUntil : null);
    }
  }

  /**
   * Sends every frame whose deadline has come. Frame k of a burst is due at `max(anchor, playEnd_k - leadMs)`, where
   * `playEnd_k = anchor + 20k` is when Twilio will have played the frames before it: absolute deadlines, so timer
   * lateness never accumulates, and at most `leadMs` of audio waits at Twilio.
   */
  #serve(now: number): void {
    const { coalesceMs, lateToleranceMs, metrics } = this.#host.config;
    const horizon = now + coalesceMs;
    const epoch = this.#epoch;
    for (;;) {
      const deadline = Math.max(this.#playEnd - this.#cfg.leadMs, this.#anchor);
      if (deadline > horizon) {
        this.#host.schedule(this, deadline);
        return;
      }
      if (this.#queue.length < FRAME_BYTES) {
        // endOfReply() padded the remainder, so an ended reply has nothing left here.
        if (this.#ended) {
          this.#finishReply();
          return;
        }
        // Unscheduled until audio arrives (#afterGrow), so this counts once per dry spell.
        this.#dry = true;
        this.#underruns++;
        emit(metrics, 'underrun', { streamId: this.id, atMs: now });
        this.#host.schedule(this, null);
        return;
      }
      if (now - deadline > lateToleranceMs) this.#lateSends++;
      if (now - this.#playEnd > FRAME_MS) {
        // Served after everything sent had played out (a host stall longer than the lead). Sending the whole
        // backlog would burst and leave Twilio permanently over-full; re-anchor so at most `leadMs` goes out now.
        this.#stalls++;
        emit(metrics, 'stall', { streamId: this.id, gapMs: now - this.#playEnd, atMs: now });
        this.#playEnd = now;
        this.#anchor = now;
      }
      this.#queue.shiftInto(this.#frame);
      this.#playEnd += FRAME_MS;
      this.#framesSent++;
      if (!this.#deliver(this.#frame)) return;
      if (epoch !== this.#epoch) return; // the sink cleared or closed this stream
      this.#sendDueMarks();
      if (epoch !== this.#epoch) return;
      if (this.#queue.length <= this.#waiterCeilMs * BYTES_PER_MS) this.#notifyWaiters();
    }
  }

  #finishReply(): void {
    this.#phase = 'idle';
    this.#ended = false;
    this.#host.schedule(this, null);
    this.#sendDueMarks();
    this.#notifyWaiters();
  }

  #sendDueMarks(): void {
    const epoch = this.#epoch;
    while (this.#marks.length > 0 && this.#marks[0].atFrame <= this.#framesSent) {
      const m = this.#marks.shift() as PendingMark;
      this.#marksSent++;
      if (!this.#deliver(m.name) || epoch !== this.#epoch) return;
    }
  }

  /** One sink call; a throwing sink closes the stream (a dead socket would throw 50 times a second). */
  #deliver(item: Uint8Array | string): boolean {
    try {
      if (typeof item === 'string') this.#sink.sendMark(item);
      else this.#sink.sendMedia(item);
      return true;
    } catch (cause) {
      const error = new PacerError('PACER_SINK_FAILED', `stream ${this.id}: sink threw`, { cause });
      emit(this.#host.config.metrics, 'sinkError', { streamId: this.id, error });
      this.#closeWith(error);
      return false;
    }
  }

  #notifyWaiters(): void {
    if (this.#waiters.length === 0) return;
    const queuedMs = this.#queue.length / BYTES_PER_MS;
    for (const w of [...this.#waiters]) if (queuedMs <= w.belowMs) w.settle();
  }
}

/** Metric callbacks are observers: one that throws must not stop audio for every call on the timer. */
function emit<K extends keyof PacerMetrics>(
  metrics: PacerMetrics,
  key: K,
  event: Parameters<NonNullable<PacerMetrics[K]>>[0],
): void {
  const fn = metrics[key] as ((e: typeof event) => void) | undefined;
  if (fn === undefined) return;
  try {
    fn.call(metrics, event);
  } catch {
    // ignored by design (see README "Metrics")
  }
}
