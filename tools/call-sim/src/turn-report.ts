import type { TwilioMarkRecord, TwilioReceivedFrame } from '@voice/testing';
import type { SpeechSegment } from './speech-segments';

/** One agent reply as the caller experienced it. Times are ms since the caller audio started. */
export interface TurnTiming {
  readonly turn: number;
  /** The gateway's turn id, from the mark names `<turnId>:<sentence>` (undefined if cut before any mark). */
  readonly turnId: string | undefined;
  /** End of the caller's last speech before this reply. */
  readonly callerEndMs: number | undefined;
  readonly firstAudioMs: number;
  /** Caller stopped talking → first agent audio arrived (what the caller feels as latency). */
  readonly responseMs: number | undefined;
  /** Agent audio received in this reply. */
  readonly agentAudioMs: number;
  readonly marksPlayed: number;
  readonly marksFlushed: number;
  /** When a `clear` (barge-in) ended this reply. */
  readonly clearedAtMs: number | undefined;
}

/** A pause longer than this between agent frames starts a new reply (the pacer never leaves one this long). */
const NEW_REPLY_GAP_MS = 400;

/**
 * Splits the agent's audio into replies (a `clear`, or a pause over 400 ms, ends one) and times each against the
 * caller's speech. Independent of gateway internals except the documented mark-name shape.
 */
export function turnTimings(received: readonly TwilioReceivedFrame[], marks: readonly TwilioMarkRecord[], speech: readonly SpeechSegment[], t0: number): TurnTiming[] {
  interface Burst {
    first: number;
    last: number;
    bytes: number;
    clearedAt?: number;
  }
  const bursts: Burst[] = [];
  let open: Burst | undefined;
  for (const r of received) {
    const f = r.frame;
    if (f?.event === 'clear') {
      if (open) open.clearedAt = r.at;
      open = undefined;
    } else if (f?.event === 'media') {
      if (open === undefined || r.at - open.last > NEW_REPLY_GAP_MS) {
        open = { first: r.at, last: r.at, bytes: 0 };
        bursts.push(open);
      }
      open.last = r.at;
      open.bytes += f.audio.length;
    }
  }
  return bursts.map((b, i) => {
    const end = bursts[i + 1]?.first ?? Infinity;
    const own = marks.filter((m) => m.receivedAt >= b.first && m.receivedAt < end);
    const firstAudioMs = b.first - t0;
    const before = speech.filter((s) => s.endMs <= firstAudioMs).at(-1);
    return {
      turn: i + 1,
      turnId: own[0]?.name.split(':')[0],
      callerEndMs: before?.endMs,
      firstAudioMs,
      responseMs: before === undefined ? undefined : firstAudioMs - before.endMs,
      agentAudioMs: b.bytes / 8,
      marksPlayed: own.filter((m) => m.echoedAt !== undefined && !m.flushed).length,
      marksFlushed: own.filter((m) => m.flushed === true).length,
      clearedAtMs: b.clearedAt === undefined ? undefined : b.clearedAt - t0,
    };
  });
}

const f = (v: number | undefined, div = 1, digits = 0): string => (v === undefined ? '-' : (v / div).toFixed(digits));

export function formatTurnTable(turns: readonly TurnTiming[]): string {
  const rows = [
    '| reply | turn id | caller stopped (s) | agent started (s) | response (ms) | agent audio (ms) | marks played / flushed | barge-in: clear at (s) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...turns.map(
      (t) =>
        `| ${t.turn} | ${t.turnId ?? '-'} | ${f(t.callerEndMs, 1000, 2)} | ${f(t.firstAudioMs, 1000, 2)} | ${f(t.responseMs)} | ${f(t.agentAudioMs)} | ${t.marksPlayed} / ${t.marksFlushed} | ${f(t.clearedAtMs, 1000, 2)} |`,
    ),
  ];
  return rows.join('\n');
}
