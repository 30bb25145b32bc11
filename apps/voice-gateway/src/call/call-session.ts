import { type AudioChunk, MULAW_8K, decodeMulaw } from '@voice/audio-codec';
import { type ChatMessage, ConversationHistory, type ConversationHistoryOptions, type LlmProvider } from '@voice/llm';
import type { Clock, MediaSink, PacedStream, Pacer } from '@voice/pacer';
import type { SttEvent, SttProvider, Vad } from '@voice/stt';
import type { TtsProvider } from '@voice/tts-providers';
import type { Logger } from 'pino';
import type { TurnConfig } from '../config/config';
import type { GatewayMetrics } from '../observability/metrics';
import { type BargeInDecision, BargeInDetector, type BargeInTrigger, countWords } from './barge-in-detector';
import type { CallLink, CallObserver } from './call-link';
import type { CallTts } from './csm-context';
import { DtmfCollector, dtmfUserText } from './dtmf-collector';
import { IdleTimer } from './idle-timer';
import { PlaybackTracker } from './playback-tracker';
import { PushQueue } from './push-queue';
import { Turn, type TurnSource } from './turn';
import { reportLatency } from './turn-latency';
import { runTurn, type TurnDeps } from './turn-runner';

export interface CallProviders {
  /**
   * The call's STT. Called once per call with a view of its history, so an offline recogniser can constrain
   * itself to what the dialog expects next (the scripted LLM's phrases); remote providers return one shared instance.
   */
  readonly sttFor: (messages: () => readonly ChatMessage[]) => SttProvider;
  readonly llm: LlmProvider;
  readonly tts: TtsProvider;
  /** The dialog has reached its end (a scripted dialog's final state): hang up once the reply has played. */
  readonly dialogOver?: (messages: readonly ChatMessage[]) => boolean;
  /** A TTS of the call's own (CSM: its context), fed with caller turns and mark echoes; replaces `tts` when set. */
  readonly ttsForCall?: (callId: string, log: Logger) => CallTts;
}

export interface CallSessionDeps {
  readonly providers: CallProviders;
  readonly pacer: Pacer;
  readonly clock: Clock;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly turn: TurnConfig;
  readonly systemPrompt: string;
  /** Local VAD for fast speech onset; undefined runs without it (STT SpeechStarted only). */
  readonly createVad?: () => Promise<Vad>;
  /**
   * `ws.bufferedAmount` above this holds TTS (default 256 KiB), so a slow socket cannot grow memory without bound
   * (Twilio itself discards outbound audio past 10 minutes buffered: https://www.twilio.com/docs/api/errors/31931).
   */
  readonly maxSocketBufferedBytes?: number;
  /** History trimming (a scripted dialog replays every user turn, so it needs them all). */
  readonly history?: Omit<ConversationHistoryOptions, 'systemPrompt'>;
  /** Transcripts and per-turn latency for a UI (the softphone); the Twilio path has none. */
  readonly observer?: CallObserver;
}

/** Caller audio queued for STT at most (10 s of 20 ms frames); beyond it the oldest is dropped and counted. */
const FEED_MAX_FRAMES = 500;
/** After hang-up, STT gets this long to finalize (CloseStream → Metadata) before its socket is aborted. */
const STT_CLOSE_GRACE_MS = 1500;

/**
 * One Twilio media stream after a valid `start`: caller audio to STT and the local VAD, transcripts to turns,
 * turns to the shared pacer, mark echoes to playback truth, barge-in. Created and disposed by the media
 * connection; holds no global state.
 */
export class CallSession {
  readonly history: ConversationHistory;
  readonly tracker = new PlaybackTracker();
  private readonly paced: PacedStream;
  private readonly stt: SttProvider;
  private readonly observer: CallObserver;
  private readonly feed = new PushQueue<AudioChunk>(FEED_MAX_FRAMES);
  private readonly callAbort = new AbortController();
  private readonly barge: BargeInDetector;
  private readonly dtmf: DtmfCollector;
  private readonly idle: IdleTimer;
  private readonly turnDeps: TurnDeps;
  private readonly pcm = new Int16Array(160);
  private readonly callTts: CallTts | undefined;
  private vad: Vad | undefined;
  private turn: Turn | undefined;
  private utterance: string[] = [];
  private utteranceFinalAt: number | undefined;
  /** When the last frame the local VAD called speech arrived (the caller's speech end, for the latency timeline). */
  private lastSpeechAt: number | undefined;
  private utteranceSpeechEndAt: number | undefined;
  private listening: Promise<void> = Promise.resolve();
  private runners = new Set<Promise<unknown>>();
  private disposing: Promise<void> | undefined;

  constructor(
    private readonly link: CallLink,
    readonly streamSid: string,
    readonly callSid: string,
    private readonly d: CallSessionDeps,
  ) {
    const cfg = d.turn;
    this.history = new ConversationHistory({ ...d.history, systemPrompt: d.systemPrompt });
    this.callTts = d.providers.ttsForCall?.(callSid, d.log);
    this.stt = d.providers.sttFor(() => this.history.messages());
    this.observer = d.observer ?? {};
    this.barge = new BargeInDetector(cfg.bargeIn, cfg.minInterruptionWords);
    this.dtmf = new DtmfCollector(d.clock, cfg.dtmfDebounceMs, (digits) => this.onDigits(digits));
    this.idle = new IdleTimer(d.clock, cfg.idleRepromptMs, cfg.maxReprompts, () => this.onIdle());
    // The pacer's sink: the link, plus the session's bookkeeping of first frames and sent marks.
    const sink: MediaSink = {
      sendMedia: (frame) => {
        link.sendMedia(frame);
        this.onFrameSent();
      },
      sendMark: (name) => {
        link.sendMark(name);
        this.tracker.markSent(name, d.clock.now());
      },
    };
    this.paced = d.pacer.add(sink, { id: callSid, jitterBufferMs: cfg.jitterBufferMs, jitterBufferMinMs: cfg.jitterBufferMinMs });
    const maxBuffered = d.maxSocketBufferedBytes ?? 256 * 1024;
    this.turnDeps = {
      llm: d.providers.llm,
      tts: this.callTts?.tts ?? d.providers.tts,
      history: this.history,
      paced: this.paced,
      now: () => d.clock.now(),
      log: d.log,
      metrics: d.metrics,
      socketBackedUp: () => link.bufferedBytes > maxBuffered,
      sleep: (ms, signal) => sleep(d.clock, ms, signal),
      onSentence: (turn, text, mark) => this.observer.agentText?.({ turnId: turn.id, text, mark }),
    };
  }

  /** Starts listening (STT socket, VAD) and speaks the greeting when one is configured. */
  start(): void {
    this.d.metrics.activeCalls.inc();
    this.listening = this.listen();
    if (this.d.createVad) {
      this.d.createVad().then(
        (vad) => (this.disposing ? vad.dispose() : (this.vad = vad)),
        (e: unknown) => this.d.log.warn({ err: String(e) }, 'local VAD unavailable; barge-in relies on STT events'),
      );
    }
    if (this.d.turn.greeting) this.startTurn({ kind: 'text', text: this.d.turn.greeting });
    // A scripted dialog opens itself: its answer to an empty history is the greeting and the first question.
    else if (this.d.turn.openWithLlm) this.startTurn({ kind: 'llm' });
    else this.idle.arm();
  }

  /** Hot path, 50 times a second: no awaits, no allocation beyond the chunk the parser made. */
  onMedia(audio: Uint8Array): void {
    if (this.disposing) return;
    this.feed.push({ data: audio, format: MULAW_8K });
    this.callTts?.callerAudio(audio, this.d.clock.now());
    const vad = this.vad;
    if (vad === undefined || audio.length !== this.pcm.length) return;
    const r = vad.process(decodeMulaw(audio, this.pcm));
    if (r.speech) this.lastSpeechAt = this.d.clock.now();
    if (r.event?.type === 'onset') this.onOnset(this.d.clock.now());
  }

  onMark(name: string): void {
    const echo = this.tracker.onEcho(name, this.d.clock.now());
    if (echo === undefined) {
      this.d.log.debug({ mark: name }, 'mark echo for no pending mark');
      return;
    }
    if (echo.roundTripMs !== undefined) this.d.metrics.markRoundTrip.observe(echo.roundTripMs / 1000);
    if (echo.sentence.state === 'played') this.callTts?.played(echo.turn.turnId, echo.sentence.index);
    const turn = this.turn;
    if (turn && turn.playback === echo.turn && turn.runnerDone && echo.turn.finished()) this.finishTurn(turn);
  }

  onDtmf(digit: string): void {
    this.idle.activity();
    this.dtmf.push(digit);
  }

  /** Twilio's `stop`: the caller hung up. */
  onStop(): void {
    this.dtmf.flush();
    this.feed.end();
  }

  /** Audio the pacer still holds for this call (scrape-time gauge). */
  queuedMs(): number {
    return this.paced.stats().queuedMs;
  }

  /** The agent is audible: a reply whose first frame went out and whose last mark has not echoed. */
  get agentSpeaking(): boolean {
    return this.turn?.audible ?? false;
  }

  /** Releases every timer, socket and stream of this call. Idempotent. */
  dispose(reason: string): Promise<void> {
    this.disposing ??= this.teardown(reason);
    return this.disposing;
  }

  private async teardown(reason: string): Promise<void> {
    this.d.log.info({ reason, turns: this.history.messages().length }, 'call ended');
    this.idle.disarm();
    this.dtmf.dispose();
    this.turn?.controller.abort(new Error(reason));
    this.turn = undefined;
    this.paced.close();
    this.feed.end();
    try {
      await Promise.race([this.listening, sleep(this.d.clock, STT_CLOSE_GRACE_MS, this.callAbort.signal).catch(() => undefined)]);
      this.callAbort.abort(new Error(reason));
      await this.listening;
      await Promise.all(this.runners);
    } finally {
      this.vad?.dispose();
      this.vad = undefined;
      await this.callTts?.close().catch((e: unknown) => this.d.log.warn({ err: String(e) }, 'closing the call tts failed'));
      this.d.metrics.activeCalls.dec();
      this.d.metrics.calls.inc({ outcome: reason });
    }
  }

  private async listen(): Promise<void> {
    const stt = this.stt;
    try {
      for await (const ev of stt.transcribe(this.feed, { signal: this.callAbort.signal })) this.onStt(ev);
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'UNKNOWN';
      this.d.metrics.providerError(stt.name, code);
      this.d.log.error({ code, err: e instanceof Error ? e.message : String(e) }, 'stt failed; ending the call');
      // Nobody can be heard any more: end the call rather than leave the caller talking to a deaf agent.
      if (!this.disposing && this.link.isOpen) this.link.close(1011, 'speech recognition unavailable');
    } finally {
      if (this.feed.dropped > 0) this.d.log.warn({ dropped: this.feed.dropped }, 'caller audio dropped: STT did not keep up');
    }
  }

  private onStt(ev: SttEvent): void {
    if (this.disposing) return;
    const now = this.d.clock.now();
    switch (ev.type) {
      case 'speech_started':
        this.onOnset(now);
        return;
      case 'interim': {
        const words = countWords(ev.text);
        if (words > 0) this.idle.activity();
        if (words > 0) this.observer.callerText?.({ text: [...this.utterance, ev.text.trim()].join(' '), final: false });
        this.act(this.barge.onWords(words, now, false));
        return;
      }
      case 'final': {
        const text = ev.text.trim();
        if (text !== '') {
          this.idle.activity();
          this.utterance.push(text);
          this.utteranceFinalAt = now;
          this.utteranceSpeechEndAt = this.lastSpeechAt;
          this.act(this.barge.onWords(countWords(text), now, true));
        }
        if (ev.speechFinal) this.commitUtterance();
        return;
      }
      case 'utterance_end':
        this.commitUtterance();
        return;
      case 'error':
        this.d.metrics.providerError(ev.error.provider, ev.error.code);
        this.d.log.warn({ code: ev.error.code, provider: ev.error.provider }, 'stt incident (recovered)');
        return;
    }
  }

  private onOnset(now: number): void {
    this.idle.activity();
    this.act(this.barge.onOnset(now));
  }

  /** A barge-in decision acts only while the agent is audible; before that a new utterance supersedes the turn. */
  private act(decision: BargeInDecision | undefined): void {
    if (decision !== undefined && this.turn?.audible) this.interrupt(decision.trigger, decision.onsetAt);
  }

  private commitUtterance(): void {
    const text = this.utterance.join(' ').trim();
    const finalAt = this.utteranceFinalAt;
    const speechEndAt = this.utteranceSpeechEndAt;
    this.utterance = [];
    this.utteranceFinalAt = undefined;
    this.utteranceSpeechEndAt = undefined;
    this.barge.reset();
    if (text === '') return;
    this.observer.callerText?.({ text, final: true });
    const turn = this.turn;
    if (turn?.audible && countWords(text) < Math.max(1, this.d.turn.minInterruptionWords)) {
      // A backchannel ("okay", "mm-hm") over the agent: not an interruption, not a new question.
      this.d.log.debug({ words: countWords(text) }, 'short utterance over the agent ignored');
      return;
    }
    if (turn) this.interrupt('final', finalAt ?? this.d.clock.now());
    this.callTts?.callerTurn(text, speechEndAt, this.d.clock.now());
    this.history.addUser(text);
    this.startTurn({ kind: 'llm' }, finalAt, speechEndAt);
  }

  private onDigits(digits: string): void {
    if (this.disposing) return;
    const now = this.d.clock.now();
    if (this.turn) this.interrupt('dtmf', now);
    this.history.addUser(dtmfUserText(digits));
    this.startTurn({ kind: 'llm' }, now);
  }

  private onIdle(): void {
    if (this.disposing || this.turn) return;
    this.startTurn({ kind: 'text', text: this.d.turn.idlePrompt });
  }

  /**
   * Barge-in, synchronous from the triggering event: abort the turn (LLM stream, TTS request/context), drop the
   * pacer queue, send `clear`, and rewrite the history to what the mark echoes say was played. No await between
   * the abort and the clear, so no frame of this turn can be sent after it.
   */
  private interrupt(trigger: BargeInTrigger, onsetAt: number): void {
    const turn = this.turn;
    if (turn === undefined) return;
    this.turn = undefined;
    turn.controller.abort(new Error(`barge-in (${trigger})`));
    const report = this.paced.clear();
    const audible = turn.audible;
    if (audible) this.link.sendClear();
    const heard = this.tracker.clear(turn.playback, report.droppedMarks);
    // Echoes after the clear are flushes: what was confirmed so far is all the caller heard of this reply.
    this.callTts?.turnEnded(turn.id, true);
    if (turn.inHistory) this.history.replaceLastAssistant(heard);
    this.observer.turnEnded?.({ turnId: turn.id, outcome: 'interrupted', heard });
    if (!audible) return; // superseded before the caller heard anything: not a barge-in
    const now = this.d.clock.now();
    this.d.metrics.bargeIns.inc({ trigger });
    this.d.metrics.bargeInReaction.observe({ trigger }, Math.max(0, now - onsetAt) / 1000);
    this.d.metrics.turns.inc({ outcome: 'interrupted' });
    this.d.log.info({ turnId: turn.id, trigger, reactionMs: +(now - onsetAt).toFixed(1), droppedMs: report.droppedMs, heardChars: heard.length }, 'barge-in');
  }

  private startTurn(source: TurnSource, sttFinalAt?: number, speechEndAt?: number): void {
    this.idle.disarm();
    const turn = new Turn(source, this.d.clock.now());
    turn.playback = this.tracker.begin(turn.id);
    turn.sttFinalAt = sttFinalAt;
    turn.speechEndAt = speechEndAt;
    this.turn = turn;
    const run = runTurn(turn, this.turnDeps).then(
      (outcome) => this.afterRunner(turn, outcome),
      (e: unknown) => this.d.log.error({ err: String(e), turnId: turn.id }, 'turn crashed'),
    );
    this.runners.add(run);
    void run.finally(() => this.runners.delete(run));
  }

  private afterRunner(turn: Turn, outcome: string): void {
    if (outcome === 'aborted' || this.turn !== turn) return;
    if (outcome === 'failed') this.d.metrics.turns.inc({ outcome: 'failed' });
    if (turn.playback.finished()) this.finishTurn(turn, outcome === 'failed');
  }

  /** The last mark of the reply echoed: the agent has stopped speaking; wait for the caller. */
  private finishTurn(turn: Turn, failed = false): void {
    if (this.turn !== turn) return;
    this.turn = undefined;
    this.callTts?.turnEnded(turn.id, false);
    if (!failed) this.d.metrics.turns.inc({ outcome: 'completed' });
    this.observer.turnEnded?.({ turnId: turn.id, outcome: failed ? 'failed' : 'completed' });
    if (this.d.providers.dialogOver?.(this.history.messages())) {
      // The goodbye has played (its last mark echoed): end the call as a person would hang up.
      this.d.log.info({ turnId: turn.id }, 'dialog finished; hanging up');
      this.link.close(1000, 'dialog finished');
      return;
    }
    this.idle.arm();
  }

  private onFrameSent(): void {
    const turn = this.turn;
    if (turn === undefined || turn.firstFrameAt !== undefined) return;
    const now = this.d.clock.now();
    turn.firstFrameAt = now;
    const m = this.d.metrics;
    if (turn.ttsFirstAudioAt !== undefined) m.observeStage('tts_first_audio_to_first_frame', now - turn.ttsFirstAudioAt);
    if (turn.sttFinalAt !== undefined) m.observeStage('stt_final_to_first_frame', now - turn.sttFinalAt);
    if (turn.speechEndAt !== undefined) m.observeStage('speech_end_to_first_frame', now - turn.speechEndAt);
    reportLatency(turn, now, this.d.log, this.observer);
  }
}

/** A cancellable delay on the injected clock. */
function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
