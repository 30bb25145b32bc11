/** Onset / offset of speech on a stream of per-frame VAD decisions. Times are ms since the stream start. */
export type EndpointEvent = { readonly type: 'onset'; readonly atMs: number } | { readonly type: 'offset'; readonly atMs: number };

export interface EndpointerOptions {
  /** Duration of one decision (default 20 ms). */
  readonly frameMs?: number;
  /**
   * Consecutive speech needed to declare an onset (default 60 ms: fast enough for barge-in, which wants a local onset
   * within ~20–60 ms).
   */
  readonly onsetMs?: number;
  /** Consecutive non-speech needed to declare an offset: the hangover (default 500 ms). */
  readonly hangoverMs?: number;
}

/**
 * Hangover endpointing in TS on top of the WebRTC VAD's per-frame decisions (libfvad,
 * https://github.com/dpirch/libfvad, decides per 10/20/30 ms frame and does no endpointing of its own). An onset is
 * reported once `onsetMs` of consecutive speech has been seen, stamped at the start of that run; an offset once
 * `hangoverMs` of consecutive non-speech followed, stamped at the end of the last speech frame. Pure and deterministic:
 * feed it booleans, get events.
 */
export class Endpointer {
  readonly frameMs: number;
  private readonly onsetFrames: number;
  private readonly hangoverFrames: number;
  private frames = 0;
  private run = 0; // length of the current run of frames that disagree with `speaking`
  private isSpeaking = false;

  constructor(o: EndpointerOptions = {}) {
    this.frameMs = o.frameMs ?? 20;
    this.onsetFrames = Math.max(1, Math.ceil((o.onsetMs ?? 60) / this.frameMs));
    this.hangoverFrames = Math.max(1, Math.ceil((o.hangoverMs ?? 500) / this.frameMs));
  }

  get speaking(): boolean {
    return this.isSpeaking;
  }

  /** Milliseconds of audio decided so far. */
  get timeMs(): number {
    return this.frames * this.frameMs;
  }

  push(speech: boolean): EndpointEvent | undefined {
    this.frames++;
    if (speech === this.isSpeaking) {
      this.run = 0;
      return undefined;
    }
    this.run++;
    const needed = this.isSpeaking ? this.hangoverFrames : this.onsetFrames;
    if (this.run < needed) return undefined;
    const atMs = (this.frames - this.run) * this.frameMs;
    this.isSpeaking = !this.isSpeaking;
    this.run = 0;
    return { type: this.isSpeaking ? 'onset' : 'offset', atMs };
  }

  reset(): void {
    this.frames = 0;
    this.run = 0;
    this.isSpeaking = false;
  }
}
