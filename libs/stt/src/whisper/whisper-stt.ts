import { type AudioChunk, type AudioFormat, MULAW_8K } from '@voice/audio-codec';
import { OpenAI } from 'openai';
import type { SttEvent, SttProvider, TranscribeOptions } from '../types';
import { resolveWhisperOptions, type WhisperSettings, type WhisperSttOptions } from './whisper-options';
import { PROVIDER, WhisperSession } from './whisper-session';

class WhisperStt implements SttProvider {
  readonly name = PROVIDER;
  readonly inputFormat: AudioFormat = MULAW_8K;
  private client: OpenAI | undefined;

  constructor(private readonly s: WhisperSettings) {}

  transcribe(audio: AsyncIterable<AudioChunk>, o: TranscribeOptions): AsyncIterable<SttEvent> {
    // One client per provider: its keep-alive connections are reused across segments and calls.
    // Everything explicit, so the SDK reads nothing from process.env (OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_LOG...).
    this.client ??= new OpenAI({
      apiKey: this.s.apiKey,
      baseURL: this.s.baseUrl,
      organization: null,
      project: null,
      maxRetries: 0, // retries are ours (per segment, bounded, retry-after capped)
      timeout: this.s.timeoutMs,
      logLevel: 'off',
    });
    return new WhisperSession(this.s, this.client).run(audio, o.signal);
  }
}

/**
 * Whisper (OpenAI `audio/transcriptions`) as a streaming SttProvider: a local fvad VAD segments the caller's
 * μ-law 8 kHz audio, `speech_started` at the VAD onset, one upload per segment, `final` + `utterance_end` after.
 */
export function createWhisperStt(options: WhisperSttOptions): SttProvider {
  return new WhisperStt(resolveWhisperOptions(options));
}
