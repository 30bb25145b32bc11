import { createGroqLlm, createOpenAiLlm } from '@voice/llm';
import { createDeepgramStt, createWhisperStt } from '@voice/stt';
import { CartesiaTts, ElevenLabsTts, OpenAiTts, type TtsProvider, withFallback } from '@voice/tts-providers';
import type { Logger } from 'pino';
import type { CallProviders } from '../call/call-session';
import type { GatewayConfig, TtsConfig } from '../config/config';
import type { GatewayMetrics } from '../observability/metrics';

export interface Providers extends CallProviders {
  /** Closes sockets held between calls (Cartesia's shared socket, ElevenLabs reply sockets). */
  close(): Promise<void>;
}

export interface ProviderOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** Extra trust for TLS provider sockets (a private CA in front of Cartesia, the test certificate in tests). */
  readonly tls?: { readonly ca?: string | Buffer };
}

function buildTts(t: TtsConfig, logger: Logger, tls: ProviderOptions['tls']): TtsProvider {
  const log = logger.child({ component: `tts-${t.provider}` });
  switch (t.provider) {
    case 'cartesia':
      return new CartesiaTts({ apiKey: t.apiKey, voiceId: t.voice ?? '', model: t.model, baseUrl: t.baseUrl, logger: log, tls });
    case 'elevenlabs':
      return new ElevenLabsTts({ apiKey: t.apiKey, voiceId: t.voice ?? '', model: t.model, baseUrl: t.baseUrl, logger: log });
    case 'openai':
      return new OpenAiTts({ apiKey: t.apiKey, baseUrl: t.baseUrl, model: t.model, voice: t.voice, logger: log });
  }
}

/**
 * The one place that turns configuration into providers. Every provider gets its `baseUrl` from the
 * `<VENDOR>_BASE_URL` variables, which is also how the end-to-end tests point the real SDKs at the fakes.
 * Nothing connects here: sockets open on first use.
 */
export function buildProviders(config: GatewayConfig, o: ProviderOptions): Providers {
  const { logger, metrics } = o;
  const s = config.stt;
  const stt =
    s.provider === 'deepgram'
      ? createDeepgramStt({ apiKey: s.apiKey, baseUrl: s.baseUrl, model: s.model, logger: logger.child({ component: 'stt-deepgram' }) })
      : createWhisperStt({ apiKey: s.apiKey, baseUrl: s.baseUrl, model: s.model, logger: logger.child({ component: 'stt-whisper' }) });
  const l = config.llm;
  const llmOptions = { apiKey: l.apiKey, baseUrl: l.baseUrl, model: l.model, logger: logger.child({ component: `llm-${l.provider}` }) };
  const llm = l.provider === 'groq' ? createGroqLlm(llmOptions) : createOpenAiLlm(llmOptions);
  const primary = buildTts(config.tts, logger, o.tls);
  const tts = config.ttsFallback
    ? withFallback(primary, buildTts(config.ttsFallback, logger, o.tls), {
        firstAudioTimeoutMs: config.turn.ttsFirstAudioTimeoutMs,
        logger: logger.child({ component: 'tts-fallback' }),
        onFallback: (e) => {
          metrics.ttsFallbacks.inc({ primary: e.primary, fallback: e.fallback, reason: e.reason });
          metrics.providerError(e.primary, e.error?.code ?? e.reason.toUpperCase());
        },
      })
    : primary;
  return {
    stt,
    llm,
    tts,
    async close() {
      const closable = tts as TtsProvider & { close?: () => Promise<void> };
      await closable.close?.();
    },
  };
}
