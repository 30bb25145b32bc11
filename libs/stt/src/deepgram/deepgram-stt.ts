import { type AudioChunk, type AudioFormat, MULAW_8K } from '@voice/audio-codec';
import type { SttEvent, SttProvider, TranscribeOptions } from '../types';
import { PROVIDER } from './deepgram-connection';
import { type DeepgramSettings, type DeepgramSttOptions, resolveDeepgramOptions } from './deepgram-options';
import { DeepgramSession } from './deepgram-session';

class DeepgramStt implements SttProvider {
  readonly name = PROVIDER;
  readonly inputFormat: AudioFormat = MULAW_8K;

  constructor(private readonly s: DeepgramSettings) {}

  transcribe(audio: AsyncIterable<AudioChunk>, o: TranscribeOptions): AsyncIterable<SttEvent> {
    // Nothing connects until the caller starts iterating.
    return new DeepgramSession(this.s).run(audio, o.signal);
  }
}

/**
 * Deepgram live transcription (`/v1/listen`) through `@deepgram/sdk` 5.x: μ-law 8 kHz from Twilio as is,
 * KeepAlive while the caller is silent, our own reconnect with replay, Finalize + CloseStream at the end.
 */
export function createDeepgramStt(options: DeepgramSttOptions): SttProvider {
  return new DeepgramStt(resolveDeepgramOptions(options));
}
