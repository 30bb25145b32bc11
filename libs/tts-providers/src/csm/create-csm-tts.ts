import { withFallback } from '../fallback/with-fallback';
import type { ClosableTtsProvider, TtsProvider } from '../types';
import { csmFallbackReason, type CsmMetricEvent } from './csm-metrics';
import { CsmTts, type CsmTtsOptions } from './csm-tts';
import { withBackchannel } from './with-backchannel';

export interface CreateCsmTtsOptions extends CsmTtsOptions {
  /** Speaks a sentence CSM could not (e.g. Cartesia), and the backchannel. */
  readonly fallback: TtsProvider;
  /** `CSM_TIMEOUT_MS`: no first CSM audio within this long → the fallback speaks the sentence (default 1500). */
  readonly timeoutMs?: number;
  /**
   * A short phrase from the fallback when the first audio of a reply is later than `afterMs` (keep it below
   * `timeoutMs`). Off by default.
   */
  readonly backchannel?: { readonly afterMs: number; readonly phrases?: readonly string[] };
}

/**
 * `TTS_PROVIDER=csm` as one TtsProvider: CSM first (with the call's `context.conversation`), the fallback on
 * timeout, 503, 5xx, a 413 that survived the shrink, or any other error — `withFallback(new CsmTts(...), fallback)` —
 * optionally behind `withBackchannel`. Every event (request, fallback with the CSM reason, backchannel) goes to
 * `onMetric`. `close()` closes CSM's sockets and the fallback.
 */
export function createCsmTts(options: CreateCsmTtsOptions): ClosableTtsProvider {
  const { fallback, timeoutMs, backchannel, onMetric, logger, ...csmOptions } = options;
  const emit = (e: CsmMetricEvent): void => {
    try {
      onMetric?.(e);
    } catch (err) {
      logger?.error({ err }, 'csm: the metrics sink threw');
    }
  };
  const csm = new CsmTts({ ...csmOptions, logger, onMetric: emit });
  const withFb = withFallback(csm, fallback, {
    firstAudioTimeoutMs: timeoutMs ?? 1500,
    logger,
    onFallback: (e) =>
      emit({ kind: 'fallback', reason: csmFallbackReason(e), primary: e.primary, fallback: e.fallback, turnId: e.turnId, sentenceIndex: e.sentenceIndex, elapsedMs: e.elapsedMs, error: e.error }),
  });
  const provider = backchannel ? withBackchannel(withFb, fallback, { ...backchannel, onMetric: emit, logger, name: withFb.name }) : withFb;
  return {
    name: provider.name,
    format: provider.format,
    synthesize: (text, o) => provider.synthesize(text, o),
    close: () => withFb.close(),
  };
}
