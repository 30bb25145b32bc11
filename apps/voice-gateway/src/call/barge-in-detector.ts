import type { BargeInMode } from '../config/config';

export type BargeInTrigger = 'vad' | 'words' | 'vad+words' | 'dtmf' | 'final';

export interface BargeInDecision {
  readonly trigger: BargeInTrigger;
  /** When the caller's speech began, as far as we know (VAD onset, else the confirming event). */
  readonly onsetAt: number;
}

/**
 * Decides when caller speech over the agent is an interruption. Local VAD onset is fast (~60 ms) but fires on
 * noise and echo; STT words are slow (~300-500 ms) but mean speech. The default confirms an onset with
 * `minWords` interim words (`MIN_INTERRUPTION_WORDS`: backchannels and echo cause false interruptions, e.g.
 * https://github.com/pipecat-ai/pipecat/issues/1771 and https://github.com/livekit/agents/issues/3758); `vad` or
 * `words` alone trade one failure for the other. Pure state, no timers:
 * the session feeds it events with their times and acts on a decision in the same call stack.
 */
export class BargeInDetector {
  private onsetAt: number | undefined;
  /** Words in finals of the current caller utterance; interims add the segment in progress. */
  private finalWords = 0;

  constructor(
    private readonly mode: BargeInMode,
    private readonly minWords: number,
    /** An onset older than this no longer confirms words (noise long before). */
    private readonly onsetWindowMs = 4000,
  ) {}

  /** Local VAD onset or the STT's SpeechStarted. */
  onOnset(at: number): BargeInDecision | undefined {
    if (this.onsetAt === undefined || at - this.onsetAt > this.onsetWindowMs) this.onsetAt = at;
    if (this.mode === 'vad') return { trigger: 'vad', onsetAt: this.onsetAt };
    if (this.mode === 'vad+words' && this.finalWords >= this.minWords) return { trigger: 'vad+words', onsetAt: this.onsetAt };
    return undefined;
  }

  /** Interim (or final) words of the segment in progress. */
  onWords(segmentWords: number, at: number, isFinal: boolean): BargeInDecision | undefined {
    const words = this.finalWords + segmentWords;
    if (isFinal) this.finalWords = words;
    if (words < this.minWords || words === 0) return undefined;
    if (this.mode === 'words') return { trigger: 'words', onsetAt: this.recentOnset(at) ?? at };
    const onset = this.recentOnset(at);
    if (this.mode === 'vad+words' && onset !== undefined) return { trigger: 'vad+words', onsetAt: onset };
    return undefined;
  }

  /** The caller's utterance was committed (or the agent's turn ended): start over. */
  reset(): void {
    this.onsetAt = undefined;
    this.finalWords = 0;
  }

  private recentOnset(at: number): number | undefined {
    return this.onsetAt !== undefined && at - this.onsetAt <= this.onsetWindowMs ? this.onsetAt : undefined;
  }
}

/** Spoken words in a transcript (punctuation-only tokens do not count). */
export function countWords(text: string): number {
  let n = 0;
  for (const w of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(w)) n++;
  return n;
}
