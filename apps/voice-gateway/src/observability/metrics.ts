import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Hops of the reply path, each measured to its first byte (docs/architecture.md "Hot-path budget"). */
export type Stage =
  | 'stt_final_to_llm_first_token'
  | 'llm_first_token_to_tts_first_audio'
  | 'tts_first_audio_to_first_frame'
  | 'stt_final_to_first_frame'
  /** Voice to voice: the caller's speech end (the gateway's fvad) to the reply's first frame. */
  | 'speech_end_to_first_frame';

/** Snapshot of the outbound queues, read at scrape time (no per-frame metric work). */
export interface QueueSnapshot {
  readonly queuedMs: number[];
}

/**
 * Prometheus metrics of one gateway, aggregated over calls (no per-call labels: a callSid label would grow the
 * series without bound). One Registry per gateway, never the global default, so tests and several gateways in
 * one process do not collide. Names follow prometheus.io/docs/practices/naming (base units: seconds).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly activeCalls: Gauge;
  readonly calls: Counter<'outcome'>;
  readonly stage: Histogram<'stage'>;
  readonly markRoundTrip: Histogram;
  readonly pacerUnderruns: Counter;
  readonly bargeIns: Counter<'trigger'>;
  readonly bargeInReaction: Histogram<'trigger'>;
  readonly providerErrors: Counter<'provider' | 'code'>;
  readonly ttsFallbacks: Counter<'primary' | 'fallback' | 'reason'>;
  readonly framesRejected: Counter<'code'>;
  readonly upgradesRejected: Counter<'reason'>;
  readonly webhooksRejected: Counter<'reason'>;
  readonly turns: Counter<'outcome'>;

  constructor(queues: () => QueueSnapshot, o: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'voice_gateway_' });
    this.activeCalls = new Gauge({ name: 'voice_gateway_active_calls', help: 'Media streams in progress', registers });
    this.calls = new Counter({ name: 'voice_gateway_calls_total', help: 'Media streams ended, by outcome', labelNames: ['outcome'], registers });
    this.turns = new Counter({ name: 'voice_gateway_turns_total', help: 'Agent replies, by outcome (completed, interrupted, failed)', labelNames: ['outcome'], registers });
    // Buckets span the gateway's own hops (≤ 1-5 ms each, docs/architecture.md "Hot-path budget") up to vendor TTFBs (0.1-2 s).
    this.stage = new Histogram({
      name: 'voice_gateway_stage_seconds',
      help: 'Time to first byte per stage of a reply: STT final -> LLM first token -> TTS first audio -> first frame sent',
      labelNames: ['stage'],
      buckets: [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5],
      registers,
    });
    this.markRoundTrip = new Histogram({
      name: 'voice_gateway_mark_round_trip_seconds',
      help: 'From sending a mark to its echo (played or cleared)',
      buckets: [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5],
      registers,
    });
    this.pacerUnderruns = new Counter({ name: 'voice_gateway_pacer_underruns_total', help: 'Reply audio ran dry mid-reply (once per dry spell)', registers });
    new Gauge({
      name: 'voice_gateway_pacer_queued_ms',
      help: 'Outbound audio waiting in the pacer, max and sum over calls',
      labelNames: ['stat'],
      registers,
      collect() {
        const q = queues().queuedMs;
        this.set({ stat: 'max' }, q.reduce((m, v) => Math.max(m, v), 0));
        this.set({ stat: 'sum' }, q.reduce((s, v) => s + v, 0));
      },
    });
    this.bargeIns = new Counter({ name: 'voice_gateway_barge_ins_total', help: 'Replies interrupted by the caller, by trigger', labelNames: ['trigger'], registers });
    this.bargeInReaction = new Histogram({
      name: 'voice_gateway_barge_in_reaction_seconds',
      help: 'From the caller speech onset the trigger confirmed (VAD onset, else the STT event) to the clear sent',
      labelNames: ['trigger'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2],
      registers,
    });
    this.providerErrors = new Counter({ name: 'voice_gateway_provider_errors_total', help: 'Provider failures and recovered incidents, by provider and code', labelNames: ['provider', 'code'], registers });
    this.ttsFallbacks = new Counter({ name: 'voice_gateway_tts_fallbacks_total', help: 'Sentences moved to the fallback TTS', labelNames: ['primary', 'fallback', 'reason'], registers });
    this.framesRejected = new Counter({ name: 'voice_gateway_twilio_frames_rejected_total', help: 'Inbound Twilio frames ignored, by code', labelNames: ['code'], registers });
    this.upgradesRejected = new Counter({ name: 'voice_gateway_upgrades_rejected_total', help: 'Media stream upgrades or starts refused, by reason', labelNames: ['reason'], registers });
    this.webhooksRejected = new Counter({ name: 'voice_gateway_webhooks_rejected_total', help: 'Webhook and API requests refused, by reason', labelNames: ['reason'], registers });
  }

  observeStage(stage: Stage, ms: number): void {
    this.stage.observe({ stage }, ms / 1000);
  }

  providerError(provider: string, code: string): void {
    this.providerErrors.inc({ provider, code });
  }
}
