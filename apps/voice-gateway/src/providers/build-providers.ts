import { type LlmProvider, createGroqLlm, createOpenAiLlm, createScriptedLlm } from '@voice/llm';
import { type SttProvider, createDeepgramStt, createWhisperStt } from '@voice/stt';
import { CartesiaTts, ElevenLabsTts, type FliteVoice, OpenAiTts, type TtsProvider, createLocalTts, withFallback } from '@voice/tts-providers';
import type { Logger } from 'pino';
import type { CallProviders } from '../call/call-session';
import type { GatewayConfig, TtsConfig } from '../config/config';
import type { GatewayMetrics } from '../observability/metrics';
import { buildCsm } from './csm';
import { localSttForCalls } from './local-stt-for-calls';

export interface Providers extends CallProviders {
  /** What runs, for logs and the softphone: `{ stt: 'local', llm: 'scripted', tts: 'local' }`. */
  readonly names: { readonly stt: string; readonly llm: string; readonly tts: string };
  /**
   * Loads what the offline providers load ahead of the first call (the PocketSphinx decoder, flite's module and
   * workers). Rejects when the offline STT cannot run (`STT_UNAVAILABLE`: the Debian packages are missing).
   */
  warm(): Promise<void>;
  /** Closes sockets and workers held between calls (Cartesia's shared socket, ElevenLabs reply sockets, flite). */
  close(): Promise<void>;
}

export interface ProviderOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** Extra trust for TLS provider sockets (a private CA in front of Cartesia, the test certificate in tests). */
  readonly tls?: { readonly ca?: string | Buffer };
}

type Closable = { close?: () => Promise<void>; warm?: () => Promise<void> };

function buildTts(t: TtsConfig, logger: Logger, tls: ProviderOptions['tls']): TtsProvider {
  const log = logger.child({ component: `tts-${t.provider}` });
  if (t.provider === 'csm' || t.provider === 'csm-bridge') throw new Error('CSM is built by buildCsm (it needs its fallback and per-call context)');
  switch (t.provider) {
    case 'cartesia':
      return new CartesiaTts({ apiKey: t.apiKey, voiceId: t.voice ?? '', model: t.model, baseUrl: t.baseUrl, logger: log, tls });
    case 'elevenlabs':
      return new ElevenLabsTts({ apiKey: t.apiKey, voiceId: t.voice ?? '', model: t.model, baseUrl: t.baseUrl, logger: log });
    case 'openai':
      return new OpenAiTts({ apiKey: t.apiKey, baseUrl: t.baseUrl, model: t.model, voice: t.voice, logger: log });
    case 'local':
      return createLocalTts({ voice: t.voice as FliteVoice | undefined, logger: log });
  }
}

function buildLlm(config: GatewayConfig, logger: Logger): LlmProvider & Partial<Pick<ReturnType<typeof createScriptedLlm>, 'expectedPhrases' | 'dialogState'>> {
  const l = config.llm;
  const log = logger.child({ component: `llm-${l.provider}` });
  if (l.provider === 'scripted') {
    const { agentName, companyName } = config.persona;
    return createScriptedLlm({ variables: { agentName, companyName }, logger: log });
  }
  const options = { apiKey: l.apiKey, baseUrl: l.baseUrl, model: l.model, logger: log };
  return l.provider === 'groq' ? createGroqLlm(options) : createOpenAiLlm(options);
}

/**
 * The one place that turns configuration into providers. Every remote provider gets its `baseUrl` from the
 * `<VENDOR>_BASE_URL` variables, which is also how the end-to-end tests point the real SDKs at the fakes.
 * Nothing connects here: sockets open and workers start on first use (or on `warm()`).
 */
export function buildProviders(config: GatewayConfig, o: ProviderOptions): Providers {
  const { logger, metrics } = o;
  const llm = buildLlm(config, logger);
  const s = config.stt;
  let sttFor: Providers['sttFor'];
  let local: ReturnType<typeof localSttForCalls> | undefined;
  if (s.provider === 'local') {
    local = localSttForCalls({ expectedPhrases: llm.expectedPhrases, hangoverMs: s.hangoverMs, logger: logger.child({ component: 'stt-local' }) });
    sttFor = local.sttFor;
  } else {
    const shared: SttProvider =
      s.provider === 'deepgram'
        ? createDeepgramStt({ apiKey: s.apiKey, baseUrl: s.baseUrl, model: s.model, logger: logger.child({ component: 'stt-deepgram' }) })
        : createWhisperStt({ apiKey: s.apiKey, baseUrl: s.baseUrl, model: s.model, logger: logger.child({ component: 'stt-whisper' }) });
    sttFor = () => shared;
  }
  const secondary = config.ttsFallback ? buildTts(config.ttsFallback, logger, o.tls) : undefined;
  // TTS_PROVIDER=csm / csm-bridge: CSM with its fallback (always set by loadConfig) and a per-call context.
  const csm = config.csm && secondary ? buildCsm({ csm: config.csm, apiKey: config.tts.apiKey, fallback: secondary, logger, metrics }) : undefined;
  const primary = csm ? csm.shared : buildTts(config.tts, logger, o.tls);
  const tts = secondary && !csm
    ? withFallback(primary, secondary, {
        firstAudioTimeoutMs: config.turn.ttsFirstAudioTimeoutMs,
        logger: logger.child({ component: 'tts-fallback' }),
        onFallback: (e) => {
          metrics.ttsFallbacks.inc({ primary: e.primary, fallback: e.fallback, reason: e.reason });
          metrics.providerError(e.primary, e.error?.code ?? e.reason.toUpperCase());
        },
      })
    : primary;
  const dialogState = llm.dialogState;
  return {
    sttFor,
    llm,
    tts,
    ttsForCall: csm?.forCall,
    dialogOver: dialogState ? (messages) => dialogState(messages).ended : undefined,
    names: { stt: s.provider, llm: config.llm.provider, tts: config.tts.provider },
    async warm() {
      for (const p of [primary, secondary] as Closable[]) {
        await p?.warm?.().catch((e: unknown) => logger.warn({ err: String(e) }, 'warming a provider failed; it will start on first use'));
      }
      await local?.warm();
    },
    async close() {
      await local?.close();
      // withFallback closes both; without it, the primary is the provider itself.
      await (tts as Closable).close?.();
      if (secondary && (tts as Closable).close === undefined) await (secondary as Closable).close?.();
    },
  };
}
