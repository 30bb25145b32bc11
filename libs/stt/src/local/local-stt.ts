import { type AudioChunk, type AudioFormat, MULAW_8K } from '@voice/audio-codec';
import { SttError } from '../errors';
import type { SttEvent, SttProvider } from '../types';
import { acquireDecoderHost, type DecoderConfig, type DecoderHost, PROVIDER, releaseDecoderHost } from './decoder-host';
import { LocalSession } from './local-session';
import { type LocalSttOptions, type LocalSttSettings, type LocalTranscribeOptions, resolveLocalOptions } from './local-stt-options';

export interface LocalSttStats {
  /** `transcribe` streams running now / since the provider was created. */
  readonly streamsOpen: number;
  readonly streams: number;
  /** Requests the shared decoder worker has not answered yet (all providers on that decoder). */
  readonly decoderOutstanding: number;
  /** Grammars loaded in the shared decoder. */
  readonly grammars: number;
}

/** The offline SttProvider: PocketSphinx in a worker thread, utterances cut by the fvad VAD. `close()` releases the decoder. */
export interface LocalSttProvider extends SttProvider {
  transcribe(audio: AsyncIterable<AudioChunk>, o: LocalTranscribeOptions): AsyncIterable<SttEvent>;
  stats(): LocalSttStats;
  close(): Promise<void>;
}

class LocalStt implements LocalSttProvider {
  readonly name = PROVIDER;
  readonly inputFormat: AudioFormat = MULAW_8K;
  private streamsOpen = 0;
  private streams = 0;
  private closed = false;

  constructor(
    private readonly s: LocalSttSettings,
    private readonly config: DecoderConfig,
    private readonly host: DecoderHost,
  ) {}

  transcribe(audio: AsyncIterable<AudioChunk>, o: LocalTranscribeOptions): AsyncIterable<SttEvent> {
    if (this.closed) return failed(new SttError('STT_PROVIDER_ERROR', `${PROVIDER}: provider is closed`, { provider: PROVIDER, retryable: false }));
    const session = new LocalSession(this.s, this.host, o.expectedPhrases ?? this.s.expectedPhrases, (open) => {
      this.streamsOpen += open ? 1 : -1;
      if (open) this.streams++;
    });
    return session.run(audio, o.signal);
  }

  stats(): LocalSttStats {
    const h = this.host.stats();
    return { streamsOpen: this.streamsOpen, streams: this.streams, decoderOutstanding: h.outstanding, grammars: h.grammars };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await releaseDecoderHost(this.config, this.host);
  }
}

// eslint-disable-next-line require-yield -- a stream that fails before its first event
async function* failed(e: SttError): AsyncGenerator<SttEvent> {
  throw e;
}

/**
 * Offline speech-to-text with Debian's PocketSphinx (`pocketsphinx`, `pocketsphinx-en-us`) through koffi. Loads the
 * decoder in a worker thread (once per process and configuration; 0.3–1 s) and resolves when it is ready. Throws a
 * coded `SttError` `STT_UNAVAILABLE`, naming the Debian packages, when the library or the model files are missing.
 */
export async function createLocalStt(options: LocalSttOptions = {}): Promise<LocalSttProvider> {
  const s = resolveLocalOptions(options);
  const config: DecoderConfig = {
    sphinxbaseLibrary: s.sphinxbaseLibrary,
    pocketsphinxLibrary: s.pocketsphinxLibrary,
    modelDir: s.modelDir,
    decoderArgs: s.decoderArgs,
  };
  const host = await acquireDecoderHost(config, s.maxGrammars, s.logger);
  return new LocalStt(s, config, host);
}
