import type { SegmenterOptions } from './segmenter';
import type { VadOptions } from './vad';

/** The fvad VAD (8 kHz, 20 ms frames) and segmenter that cut caller audio into utterances for a batch recogniser. */
export type SegmentVadOptions = Pick<VadOptions, 'mode' | 'onsetMs' | 'hangoverMs'> &
  SegmenterOptions & {
    /** Speech shorter than this is not transcribed (default 200 ms): noise blips come out as invented or short words. */
    readonly minSpeechMs?: number;
  };

export type SegmentVadSettings = Required<SegmentVadOptions>;

/** Defaults shared by the Whisper and local providers (README tables); the post-roll never outlasts the hangover. */
export function resolveSegmentVad(v: SegmentVadOptions | undefined): SegmentVadSettings {
  const hangoverMs = v?.hangoverMs ?? 500;
  return {
    mode: v?.mode ?? 3,
    onsetMs: v?.onsetMs ?? 60,
    hangoverMs,
    preRollMs: v?.preRollMs ?? 300,
    postRollMs: Math.min(v?.postRollMs ?? 200, hangoverMs),
    maxSegmentMs: v?.maxSegmentMs ?? 15_000,
    minSpeechMs: v?.minSpeechMs ?? 200,
  };
}
