import type { Vad } from './vad';

/** A stretch of caller speech cut out by the VAD. */
export interface SpeechSegment {
  /** PCM16 of the segment, pre-roll and post-roll included. */
  readonly pcm: Int16Array;
  readonly sampleRate: number;
  /** Where `pcm` starts / ends, in ms since the stream start. */
  readonly startMs: number;
  readonly endMs: number;
  /** The VAD's onset and offset (speech proper, without the rolls). */
  readonly speechStartMs: number;
  readonly speechEndMs: number;
  /** True when maxSegmentMs cut the segment while speech went on (the next segment continues it). */
  readonly cut: boolean;
}

/** In stream order: onset, one or more segments (several when maxSegmentMs cut long speech), offset. */
export type SegmenterEvent =
  | { readonly type: 'onset'; readonly atMs: number }
  | { readonly type: 'segment'; readonly segment: SpeechSegment }
  | { readonly type: 'offset'; readonly atMs: number };

export interface SegmenterOptions {
  /** Audio kept before the onset (default 300 ms): the onset is stamped late and words start soft. */
  readonly preRollMs?: number;
  /** Trailing audio kept after the offset (default 200 ms; at most the VAD's hangover). */
  readonly postRollMs?: number;
  /** Longer speech is cut into segments of this length (default 30 000 ms). */
  readonly maxSegmentMs?: number;
}

/**
 * Cuts a PCM16 stream into speech segments with a {@link Vad}: any chunk length in, 'onset' as soon as the
 * endpointer fires (for speech_started / barge-in), then 'segment' + 'offset' when the speech ends (for batch STT
 * such as Whisper).
 */
export class VadSegmenter {
  private readonly frameMs: number;
  private readonly preRollFrames: number;
  private readonly postRollFrames: number;
  private readonly maxFrames: number;
  private readonly pending: Int16Array; // partial frame
  private pendingLen = 0;
  private history: Int16Array[] = []; // recent frames while not in a segment
  private current: Int16Array[] | undefined; // frames of the open segment
  private currentStartMs = 0;
  private speechStartMs = 0;
  private frames = 0;

  constructor(private readonly vad: Vad, o: SegmenterOptions = {}) {
    this.frameMs = vad.frameMs;
    this.preRollFrames = Math.ceil((o.preRollMs ?? 300) / this.frameMs);
    this.postRollFrames = Math.ceil((o.postRollMs ?? 200) / this.frameMs);
    this.maxFrames = Math.max(1, Math.floor((o.maxSegmentMs ?? 30_000) / this.frameMs));
    this.pending = new Int16Array(vad.frameSamples);
  }

  /** Feeds samples; returns the events completed by them, in order. */
  push(pcm: Int16Array): SegmenterEvent[] {
    const out: SegmenterEvent[] = [];
    const n = this.vad.frameSamples;
    let i = 0;
    if (this.pendingLen > 0) {
      const take = Math.min(n - this.pendingLen, pcm.length);
      this.pending.set(pcm.subarray(0, take), this.pendingLen);
      this.pendingLen += take;
      i = take;
      if (this.pendingLen === n) {
        this.frame(this.pending.slice(), out);
        this.pendingLen = 0;
      }
    }
    for (; i + n <= pcm.length; i += n) this.frame(pcm.slice(i, i + n), out);
    if (i < pcm.length) {
      this.pending.set(pcm.subarray(i), 0);
      this.pendingLen = pcm.length - i;
    }
    return out;
  }

  /** End of stream: closes an open segment and reports its offset (the partial last frame is dropped). */
  flush(): SegmenterEvent[] {
    const out: SegmenterEvent[] = [];
    if (this.current) {
      const endMs = this.frames * this.frameMs;
      if (this.current.length > 0) this.emit(out, endMs, false);
      this.current = undefined;
      out.push({ type: 'offset', atMs: endMs });
    }
    this.pendingLen = 0;
    return out;
  }

  private frame(frame: Int16Array, out: SegmenterEvent[]): void {
    const { event } = this.vad.process(frame);
    this.frames++;
    if (this.current) {
      this.current.push(frame);
      if (event?.type === 'offset') {
        // The endpointer fires a hangover after the speech ended; keep only `postRollFrames` of that silence.
        const extra = this.frames - (event.atMs / this.frameMs + this.postRollFrames);
        if (extra > 0) this.current.length -= Math.min(extra, this.current.length);
        // After a cut, the speech may have ended before this segment began: no segment, just the offset.
        if (event.atMs > this.currentStartMs) this.emit(out, event.atMs, false);
        this.current = undefined;
        out.push({ type: 'offset', atMs: event.atMs });
      } else if (this.current.length >= this.maxFrames) {
        this.cut(out);
      }
      return;
    }
    this.history.push(frame);
    if (event?.type === 'onset') {
      out.push({ type: 'onset', atMs: event.atMs });
      const first = Math.max(0, event.atMs / this.frameMs - this.preRollFrames);
      this.current = this.history.slice(-(this.frames - first));
      this.currentStartMs = (this.frames - this.current.length) * this.frameMs;
      this.speechStartMs = event.atMs;
      this.history = [];
      return;
    }
    const maxHistory = this.preRollFrames + Math.ceil(1000 / this.frameMs); // pre-roll + room for the onset run
    if (this.history.length > maxHistory) this.history.splice(0, this.history.length - maxHistory);
  }

  /** Speech longer than maxSegmentMs: emit what we have and continue in a new segment, no new onset. */
  private cut(out: SegmenterEvent[]): void {
    const endMs = this.frames * this.frameMs;
    this.emit(out, endMs, true);
    this.current = [];
    this.currentStartMs = endMs;
    this.speechStartMs = endMs;
  }

  private emit(out: SegmenterEvent[], speechEndMs: number, cut: boolean): void {
    const frames = this.current ?? [];
    const n = this.vad.frameSamples;
    const pcm = new Int16Array(frames.length * n);
    frames.forEach((f, k) => pcm.set(f, k * n));
    out.push({
      type: 'segment',
      segment: {
        pcm,
        sampleRate: this.vad.sampleRate,
        startMs: this.currentStartMs,
        endMs: this.currentStartMs + frames.length * this.frameMs,
        speechStartMs: this.speechStartMs,
        speechEndMs,
        cut,
      },
    });
    this.current = undefined;
  }
}
