import { type AudioChunk, decodeMulaw, MULAW_8K, sameFormat } from '@voice/audio-codec';
import { SttError } from '../errors';
import type { SegmenterEvent, VadSegmenter } from './segmenter';

export interface SegmentCallerAudioContext {
  /** Names the provider in errors. */
  readonly provider: string;
  /** Checked after every read: the session stopped, so the rest of the input is not wanted. */
  readonly stopped: () => boolean;
}

/**
 * The input side of a VAD-segmented session (Whisper, local): reads the caller's μ-law 8 kHz chunks from `it`,
 * decodes them into one reused PCM buffer (the segmenter copies what it keeps) and hands `onEvents` what each chunk
 * completed, then the flush at the end of the input. Returns true when the input ended (and was flushed), false
 * when the session stopped first. Throws STT_BAD_INPUT when the input fails or a chunk comes in another format.
 */
export async function segmentCallerAudio(
  it: AsyncIterator<AudioChunk>,
  segmenter: VadSegmenter,
  onEvents: (events: SegmenterEvent[]) => void,
  { provider, stopped }: SegmentCallerAudioContext,
): Promise<boolean> {
  let pcm = new Int16Array(160);
  for (;;) {
    let r: IteratorResult<AudioChunk>;
    try {
      r = await it.next();
    } catch (cause) {
      throw new SttError('STT_BAD_INPUT', `${provider}: the input audio stream failed`, { provider, retryable: false, cause });
    }
    if (stopped()) return false;
    if (r.done) break;
    const { data, format } = r.value;
    if (!sameFormat(format, MULAW_8K)) {
      throw new SttError('STT_BAD_INPUT', `${provider}: expected mulaw 8000 Hz, got ${format.encoding} ${format.sampleRate} Hz`, {
        provider,
        retryable: false,
      });
    }
    if (data.length === 0) continue;
    if (pcm.length < data.length) pcm = new Int16Array(data.length);
    onEvents(segmenter.push(decodeMulaw(data, pcm.subarray(0, data.length))));
  }
  onEvents(segmenter.flush());
  return true;
}
