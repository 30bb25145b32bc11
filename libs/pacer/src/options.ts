import type { Clock } from './clock';
import { realClock } from './clock';
import { PacerError } from './errors';
import { FRAME_MS } from './constants';

/** Where paced audio goes. The gateway serializes with @voice/twilio-protocol; the pacer knows no JSON. */
export interface MediaSink {
  /**
   * One 160-byte μ-law frame. The array is reused by the pacer: it is valid only during this call, so serialize
   * or copy it before returning (base64-encoding it, as the gateway does, is a copy).
   */
  sendMedia(frame: Uint8Array): void;
  /** A mark, sent after every frame queued before it. */
  sendMark(name: string): void;
}

/** Metric callbacks; every one is optional and must not throw. */
export interface PacerMetrics {
  /** A stream's queue ran dry at a frame deadline before `endOfReply()`. Counted once per dry spell. */
  underrun?(event: { streamId: string; atMs: number }): void;
  /** The shared timer woke later than `lateToleranceMs` after the earliest deadline it was armed for. */
  lateTick?(event: { lateMs: number; atMs: number }): void;
  /** A stream was served so late that everything it had sent had finished playing (a host stall): grid re-anchored. */
  stall?(event: { streamId: string; gapMs: number; atMs: number }): void;
  /** The sink threw; the stream was closed. */
  sinkError?(event: { streamId: string; error: unknown }): void;
}

/** Per-stream settings; each defaults to the scheduler's value. */
export interface StreamOptions {
  /** Label for metrics. Default `stream-<n>`. */
  id?: string;
  leadMs?: number;
  jitterBufferMs?: number;
  jitterBufferMinMs?: number;
  maxQueuedMs?: number;
}

export interface PacerOptions {
  /** Time source. Default `realClock` (`performance.now()` + `setTimeout`). */
  clock?: Clock;
  /** Audio sent ahead of its play time so it waits queued at Twilio and absorbs host stalls. Default 60. */
  leadMs?: number;
  /** Audio held before the first frame of a reply goes out. Default 160 (the gateway's JITTER_BUFFER_MS). */
  jitterBufferMs?: number;
  /** The least audio a reply starts with, unless it is complete. Default 40. */
  jitterBufferMinMs?: number;
  /** Bound on audio queued per stream; `enqueue` beyond it throws PACER_QUEUE_FULL. Default 30,000. */
  maxQueuedMs?: number;
  /** A wake also serves deadlines up to this far ahead, so calls with nearby phases share wakes. Default 2. */
  coalesceMs?: number;
  /** A frame sent later than this after its deadline counts as a late send; a wake this late is a late tick. Default 5. */
  lateToleranceMs?: number;
  metrics?: PacerMetrics;
}

export interface StreamConfig {
  readonly leadMs: number;
  readonly jitterBufferMs: number;
  readonly jitterBufferMinMs: number;
  readonly maxQueuedMs: number;
}

export interface SchedulerConfig extends StreamConfig {
  readonly clock: Clock;
  readonly coalesceMs: number;
  readonly lateToleranceMs: number;
  readonly metrics: PacerMetrics;
}

export const PACER_DEFAULTS = Object.freeze({
  leadMs: 60,
  jitterBufferMs: 160,
  jitterBufferMinMs: 40,
  maxQueuedMs: 30_000,
  coalesceMs: 2,
  lateToleranceMs: 5,
});

function check(name: string, value: number, min: number, max = Infinity): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new PacerError('PACER_INVALID_OPTION', `${name} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function streamConfig(o: StreamOptions | PacerOptions, base: StreamConfig): StreamConfig {
  const leadMs = check('leadMs', o.leadMs ?? base.leadMs, 0, 10_000);
  const jitterBufferMs = check('jitterBufferMs', o.jitterBufferMs ?? base.jitterBufferMs, 0, 60_000);
  // A minimum above the target would make the target meaningless; clamp an inherited default, reject an explicit one.
  const minMs = o.jitterBufferMinMs ?? Math.min(base.jitterBufferMinMs, jitterBufferMs);
  const jitterBufferMinMs = check('jitterBufferMinMs', minMs, 0, jitterBufferMs);
  const maxQueuedMs = check('maxQueuedMs', o.maxQueuedMs ?? base.maxQueuedMs, FRAME_MS);
  return { leadMs, jitterBufferMs, jitterBufferMinMs, maxQueuedMs };
}

export function resolveSchedulerConfig(o: PacerOptions): SchedulerConfig {
  return {
    ...streamConfig(o, PACER_DEFAULTS),
    clock: o.clock ?? realClock,
    coalesceMs: check('coalesceMs', o.coalesceMs ?? PACER_DEFAULTS.coalesceMs, 0, FRAME_MS / 2),
    lateToleranceMs: check('lateToleranceMs', o.lateToleranceMs ?? PACER_DEFAULTS.lateToleranceMs, 0),
    metrics: o.metrics ?? {},
  };
}

export function resolveStreamConfig(o: StreamOptions, base: StreamConfig): StreamConfig {
  return streamConfig(o, base);
}
