import { type AudioChunk, pcm16Format } from '@voice/audio-codec';
import {
  type ClosableTtsProvider,
  type CsmMetricEvent,
  CsmBridgeTts,
  CsmTts,
  type FallbackEvent,
  type SynthesizeOptions,
  type TtsProvider,
  csmFallbackReason,
  withBackchannel,
  withFallback,
} from '@voice/tts-providers';
import type { Logger } from 'pino';
import { type CallTts, CsmCallContext } from '../call/csm-context';
import type { CsmConfig } from '../config/csm-config';
import { CsmMetrics } from '../observability/csm-metrics';
import type { GatewayMetrics } from '../observability/metrics';

export interface CsmProviders {
  /** What is shared by every call (CSM's keep-alive agent and the fallback); `close()` closes both. */
  readonly shared: ClosableTtsProvider;
  /** A call's own TTS: its CSM context (direct) or its bridge session (bridge). */
  readonly forCall: (callId: string, log: Logger) => CallTts;
}

export interface CsmBuildOptions {
  readonly csm: CsmConfig;
  /** `CSM_API_KEY`, for a proxy in front of csm-gpu or the bridge ('' for none). */
  readonly apiKey: string;
  /** Speaks what CSM cannot in time, and the backchannel. */
  readonly fallback: TtsProvider;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
}

/**
 * `TTS_PROVIDER=csm` / `csm-bridge` (docs/architecture.md "Contextual TTS (CSM)"): CSM first, the fallback on
 * `CSM_TIMEOUT_MS` without first audio, 503, 5xx, a 413 that survived the shrink, or any other error
 * (`withFallback`), and an optional backchannel. This is `createCsmTts` of @voice/tts-providers composed by hand,
 * because the call's context needs the audio of each sentence *below* the backchannel and *above* the fallback (what
 * the caller heard for that sentence, without the "Mm-hm."), and createCsmTts offers no hook there.
 *
 * Direct: one `CsmTts` for every call (keep-alive agent) yielding CSM's 24 kHz PCM untouched, so the context
 * snippets keep CSM's full band; the turn runner transcodes to μ-law once per turn. Bridge: one `CsmBridgeTts` per
 * call (a bridge session is one call's context, kept by the bridge).
 */
export function buildCsm(o: CsmBuildOptions): CsmProviders {
  const { csm: c, fallback, logger, metrics } = o;
  const csmMetrics = new CsmMetrics(metrics.registry);
  const sink = (e: CsmMetricEvent): void => {
    csmMetrics.onEvent(e);
    if (e.kind !== 'fallback') return;
    metrics.ttsFallbacks.inc({ primary: e.primary, fallback: e.fallback, reason: e.reason });
    metrics.providerError(e.primary, e.error?.code ?? e.reason.toUpperCase());
  };
  const onFallback = (e: FallbackEvent): void =>
    sink({ kind: 'fallback', reason: csmFallbackReason(e), primary: e.primary, fallback: e.fallback, turnId: e.turnId, sentenceIndex: e.sentenceIndex, elapsedMs: e.elapsedMs, error: e.error });
  const log = logger.child({ component: `tts-${c.via}` });
  const safe = (primary: TtsProvider): ClosableTtsProvider => withFallback(primary, fallback, { firstAudioTimeoutMs: c.timeoutMs, logger: log, onFallback });
  const backchannel = c.backchannel;
  const withPhrase = (p: TtsProvider): TtsProvider =>
    backchannel ? withBackchannel(p, fallback, { afterMs: backchannel.afterMs, phrases: [backchannel.text], onMetric: sink, logger: log, name: p.name }) : p;

  if (c.via === 'csm') {
    const shared = safe(
      new CsmTts({ baseUrl: c.url, apiKey: o.apiKey || undefined, mode: c.mode, speakerId: c.speakerId, format: pcm16Format(24_000), onMetric: sink, logger: log }),
    );
    return {
      shared,
      forCall: (_callId, callLog) => new CsmCallContext({ inner: shared, maxContextSeconds: c.maxContextSeconds, agentSpeakerId: c.speakerId, log: callLog, wrap: withPhrase }),
    };
  }
  return {
    // Only the fallback is shared on the bridge path; sockets are per call.
    shared: { name: fallback.name, format: fallback.format, synthesize: (t, so) => fallback.synthesize(t, so), close: () => (fallback as Partial<ClosableTtsProvider>).close?.() ?? Promise.resolve() },
    forCall: (callId, callLog) => {
      const bridge = new CsmBridgeTts({ baseUrl: c.url, sessionId: callId, voiceProfileId: c.voiceProfile, apiKey: o.apiKey || undefined, logger: callLog.child({ component: 'tts-csm-bridge' }) });
      return {
        tts: withPhrase(safe(metered(bridge, csmMetrics))),
        // The bridge keeps the session's context itself (every sentence it spoke to the end); it has no message
        // for caller turns or mark confirmations, so these have nothing to feed.
        callerAudio: () => undefined,
        callerTurn: () => undefined,
        played: () => undefined,
        turnEnded: () => undefined,
        close: () => bridge.close(),
      };
    },
  };
}

/** CsmBridgeTts reports no metrics: time each sentence here (call → first chunk, call → end), as CsmTts does. */
function metered(p: TtsProvider, m: CsmMetrics): TtsProvider {
  async function* run(text: string, so: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    const start = performance.now();
    let ttfaMs: number | undefined;
    let outcome: 'completed' | 'aborted' | 'failed' = 'aborted';
    try {
      for await (const chunk of p.synthesize(text, so)) {
        ttfaMs ??= performance.now() - start;
        yield chunk;
      }
      if (!so.signal.aborted) outcome = 'completed';
    } catch (e) {
      outcome = 'failed';
      throw e;
    } finally {
      if (text.trim() !== '') m.sentence({ sentenceIndex: so.context?.sentenceIndex, outcome, ttfaMs, generationMs: performance.now() - start });
    }
  }
  return { name: p.name, format: p.format, synthesize: run };
}
