import type { CsmMetricEvent } from '@voice/tts-providers';
import { Counter, Histogram, type Registry } from 'prom-client';

/** What the bridge path can measure itself (CsmBridgeTts reports no metrics): one sentence as the gateway saw it. */
export interface CsmSentenceTiming {
  readonly sentenceIndex?: number;
  readonly outcome: 'completed' | 'aborted' | 'failed';
  readonly ttfaMs?: number;
  readonly generationMs: number;
}

/**
 * CSM metrics of the gateway (CSM time to first audio, generation time, fallbacks by reason), registered on
 * the gateway's own registry, so `/metrics` shows them next to the rest. Labels stay few: reasons are bucketed by the
 * provider (`timeout`, `status:503`, `status:5xx`, `status:413`, `error:<code>`), sentences are `first` (what
 * the caller waits for) or `later`.
 */
export class CsmMetrics {
  readonly firstAudio: Histogram<'sentence'>;
  readonly generation: Histogram<'outcome'>;
  readonly requests: Counter<'outcome' | 'shrunk'>;
  readonly contextSeconds: Histogram;
  readonly fallbacks: Counter<'reason'>;
  readonly backchannels: Counter<'completed'>;

  constructor(registry: Registry) {
    const registers = [registry];
    // From the request to CSM's first audio: CSM-1B streams its first 160 ms after a context prefill (0.1-2 s).
    const buckets = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];
    this.firstAudio = new Histogram({
      name: 'voice_gateway_csm_first_audio_seconds',
      help: 'CSM time to first audio per sentence (request sent to first chunk), first sentence of a reply vs later ones',
      labelNames: ['sentence'],
      buckets,
      registers,
    });
    this.generation = new Histogram({
      name: 'voice_gateway_csm_generation_seconds',
      help: 'CSM generation time per sentence (request sent to last byte, abort or failure), by outcome',
      labelNames: ['outcome'],
      buckets: [...buckets, 20, 30],
      registers,
    });
    this.requests = new Counter({ name: 'voice_gateway_csm_requests_total', help: 'CSM sentences, by outcome and whether a 413 shrank the context', labelNames: ['outcome', 'shrunk'], registers });
    this.contextSeconds = new Histogram({
      name: 'voice_gateway_csm_context_seconds',
      help: 'Context audio sent with each CSM request (CSM_MAX_CONTEXT_SECONDS caps it)',
      buckets: [0, 1, 2, 4, 6, 8, 12, 16, 24, 32, 48],
      registers,
    });
    this.fallbacks = new Counter({ name: 'voice_gateway_csm_fallbacks_total', help: 'Sentences the fallback spoke instead of CSM, by reason', labelNames: ['reason'], registers });
    this.backchannels = new Counter({ name: 'voice_gateway_csm_backchannels_total', help: 'Backchannels ("Mm-hm.") played over a slow CSM start', labelNames: ['completed'], registers });
  }

  /** The CSM provider's metric sink (`CsmTts`, `withFallback` through `csmFallbackReason`, `withBackchannel`). */
  onEvent(e: CsmMetricEvent): void {
    switch (e.kind) {
      case 'request':
        this.sentence({ sentenceIndex: e.sentenceIndex, outcome: e.outcome, ttfaMs: e.ttfaMs, generationMs: e.generationMs }, e.shrunk);
        this.contextSeconds.observe(e.contextSeconds);
        return;
      case 'fallback':
        this.fallbacks.inc({ reason: e.reason });
        return;
      case 'backchannel':
        this.backchannels.inc({ completed: String(e.completed) });
        return;
    }
  }

  /** One CSM sentence is over (from `onEvent`, or measured by the gateway on the bridge path). */
  sentence(t: CsmSentenceTiming, shrunk = false): void {
    this.requests.inc({ outcome: t.outcome, shrunk: String(shrunk) });
    if (t.ttfaMs !== undefined) this.firstAudio.observe({ sentence: (t.sentenceIndex ?? 0) === 0 ? 'first' : 'later' }, t.ttfaMs / 1000);
    this.generation.observe({ outcome: t.outcome }, t.generationMs / 1000);
  }
}
