import type { Transcoder } from '@voice/audio-codec';
import type { TurnPlayback } from './playback-tracker';

let turnSeq = 0;

/** What a reply says: the LLM's answer to the history, or fixed text (greeting, re-prompt, apology). */
export type TurnSource = { readonly kind: 'llm' } | { readonly kind: 'text'; readonly text: string };

/**
 * One agent reply. Its AbortController is the only way to stop it (LLM stream, TTS request/context, pacing);
 * its timestamps feed the per-stage metrics. Turn ids are unique per process because TTS providers that keep
 * one socket for every call (Cartesia) key their per-reply contexts by them.
 */
export class Turn {
  readonly id = `t${(++turnSeq).toString(36)}`;
  readonly controller = new AbortController();
  playback!: TurnPlayback;
  /** One transcoder per turn, created on the first chunk that is not μ-law 8 kHz. */
  transcoder: Transcoder | undefined;
  /** An assistant message for this reply is in the history (so a barge-in may rewrite it). */
  inHistory = false;
  /** The runner has returned (its audio may still be playing). */
  runnerDone = false;
  /** Caller speech end of the utterance this turn answers (local VAD), for the latency timeline. */
  speechEndAt: number | undefined;
  sttFinalAt: number | undefined;
  llmFirstTokenAt: number | undefined;
  ttsFirstAudioAt: number | undefined;
  firstFrameAt: number | undefined;

  constructor(
    readonly source: TurnSource,
    readonly startedAt: number,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Audio of this reply has reached Twilio: the caller may be hearing the agent. */
  get audible(): boolean {
    return this.firstFrameAt !== undefined;
  }
}
