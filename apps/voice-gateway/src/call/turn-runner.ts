import { type AudioChunk, MULAW_8K, createTranscoder, sameFormat } from '@voice/audio-codec';
import { type ConversationHistory, type LlmProvider, SentenceChunker } from '@voice/llm';
import type { PacedStream } from '@voice/pacer';
import type { TtsProvider } from '@voice/tts-providers';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics';
import { PushQueue } from './push-queue';
import type { Turn } from './turn';

/** Spoken when the model fails before saying anything, so the caller is not left in silence. */
export const APOLOGY = "Sorry, I'm having trouble answering right now. Could you say that again?";

/** TTS is pulled at most this far ahead of playback (pull = back-pressure: audio sent ahead only waits in a buffer). */
const HIGH_WATER_MS = 4000;
const LOW_WATER_MS = 2000;

export interface TurnDeps {
  readonly llm: LlmProvider;
  readonly tts: TtsProvider;
  readonly history: ConversationHistory;
  readonly paced: PacedStream;
  readonly now: () => number;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  /** The Twilio socket's send buffer is past its threshold: hold TTS until it drains. */
  readonly socketBackedUp: () => boolean;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** A sentence is about to be spoken (for transcripts); `mark` follows its audio. */
  readonly onSentence?: (turn: Turn, text: string, mark: string) => void;
}

export type TurnOutcome = 'completed' | 'aborted' | 'failed';

const codeOf = (e: unknown): string => (typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'UNKNOWN');
const providerOf = (e: unknown, dflt: string): string =>
  typeof e === 'object' && e !== null && 'provider' in e ? String((e as { provider: unknown }).provider) : dflt;

/**
 * Runs one reply: LLM deltas → sentence chunker → TTS per sentence → (one transcode when needed) → pacer, with a
 * mark after each sentence. The LLM keeps writing while the first sentence is spoken (producer/consumer over a
 * queue). Every enqueue is preceded by a synchronous check of the abort signal, so after a barge-in (abort, then
 * `pacer.clear()` and `clear`, in one call stack) no audio of this turn reaches the pacer again.
 */
export async function runTurn(turn: Turn, d: TurnDeps): Promise<TurnOutcome> {
  // `work` stops this turn's upstream requests on a TTS failure without marking the turn as interrupted.
  const work = new AbortController();
  const onAbort = (): void => work.abort(turn.signal.reason);
  turn.signal.addEventListener('abort', onAbort, { once: true });
  const sentences = new PushQueue<string>();
  let failed = false;
  const producer = produce(turn, d, work.signal, sentences).catch((e: unknown) => {
    failed = true;
    d.metrics.providerError(providerOf(e, d.llm.name), codeOf(e));
    d.log.error({ code: codeOf(e), err: e instanceof Error ? e.message : String(e) }, 'llm failed');
  });
  let spoken = 0;
  let lastSent = false;
  try {
    for await (const text of sentences) {
      if (work.signal.aborted) break;
      // The reply is known to end here when the LLM has finished and nothing else is queued.
      lastSent = sentences.isEnded && sentences.length === 0;
      await speak(turn, d, work.signal, text, spoken++, lastSent);
    }
    await producer;
    if (failed && spoken === 0 && !work.signal.aborted) await speak(turn, d, work.signal, APOLOGY, spoken++, (lastSent = true));
    if (spoken > 0 && !lastSent && !work.signal.aborted) await endContext(turn, d, work.signal, spoken);
    if (work.signal.aborted) return turn.signal.aborted ? 'aborted' : 'failed';
    flushTranscoder(turn, d);
    d.paced.endOfReply();
    turn.playback.complete = true;
    return failed ? 'failed' : 'completed';
  } catch (e) {
    // A TTS failure (after any fallback): what was queued still plays; the rest of the reply is dropped.
    d.metrics.providerError(providerOf(e, d.tts.name), codeOf(e));
    d.log.error({ code: codeOf(e), err: e instanceof Error ? e.message : String(e) }, 'tts failed');
    work.abort(e);
    if (!turn.signal.aborted) {
      d.paced.endOfReply();
      turn.playback.complete = true;
    }
    return turn.signal.aborted ? 'aborted' : 'failed';
  } finally {
    sentences.end();
    work.abort();
    await producer;
    turn.signal.removeEventListener('abort', onAbort);
    turn.runnerDone = true;
  }
}

async function produce(turn: Turn, d: TurnDeps, signal: AbortSignal, out: PushQueue<string>): Promise<void> {
  const chunker = new SentenceChunker();
  try {
    if (turn.source.kind === 'text') {
      for (const s of chunker.push(turn.source.text)) out.push(s);
    } else {
      for await (const delta of d.llm.stream(d.history.messages(), { signal })) {
        if (delta.type !== 'text' || signal.aborted) continue;
        if (turn.llmFirstTokenAt === undefined) {
          turn.llmFirstTokenAt = d.now();
          if (turn.sttFinalAt !== undefined) d.metrics.observeStage('stt_final_to_llm_first_token', turn.llmFirstTokenAt - turn.sttFinalAt);
        }
        for (const s of chunker.push(delta.text)) out.push(s);
      }
    }
    if (!signal.aborted) for (const s of chunker.flush()) out.push(s);
  } finally {
    out.end();
  }
}

async function speak(turn: Turn, d: TurnDeps, signal: AbortSignal, text: string, index: number, last: boolean): Promise<void> {
  if (signal.aborted) return;
  const sentence = turn.playback.addSentence(text);
  d.onSentence?.(turn, text, sentence.mark);
  // Optimistic: the history holds what was queued; a barge-in rewrites it to what the mark echoes say was played.
  if (!turn.inHistory) {
    d.history.addAssistant(text);
    turn.inHistory = true;
  } else {
    d.history.replaceLastAssistant(turn.playback.queuedText());
  }
  const context = { turnId: turn.id, sentenceIndex: index, isLastSentence: last };
  for await (const chunk of d.tts.synthesize(text, { signal, context })) {
    if (signal.aborted) return;
    if (turn.ttsFirstAudioAt === undefined) {
      turn.ttsFirstAudioAt = d.now();
      if (turn.llmFirstTokenAt !== undefined) d.metrics.observeStage('llm_first_token_to_tts_first_audio', turn.ttsFirstAudioAt - turn.llmFirstTokenAt);
    }
    const bytes = toMulaw(turn, chunk);
    if (bytes.length === 0) continue;
    if (!(await roomFor(d, signal))) return;
    d.paced.enqueue(bytes);
  }
  if (signal.aborted) return;
  d.paced.mark(sentence.mark);
}

/**
 * The last sentence went out before the LLM said it was the last: an empty last sentence ends the provider's
 * per-reply context (Cartesia `continue: false`, ElevenLabs EOS) instead of leaving it to expire.
 */
async function endContext(turn: Turn, d: TurnDeps, signal: AbortSignal, index: number): Promise<void> {
  for await (const chunk of d.tts.synthesize('', { signal, context: { turnId: turn.id, sentenceIndex: index, isLastSentence: true } })) {
    if (signal.aborted) return;
    const bytes = toMulaw(turn, chunk);
    if (bytes.length > 0) d.paced.enqueue(bytes);
  }
}

/** Transcode once: μ-law 8 kHz goes straight through; anything else through one transcoder per turn. */
function toMulaw(turn: Turn, chunk: AudioChunk): Uint8Array {
  if (sameFormat(chunk.format, MULAW_8K)) return chunk.data;
  turn.transcoder ??= createTranscoder(chunk.format, MULAW_8K);
  return turn.transcoder.process(chunk.data);
}

function flushTranscoder(turn: Turn, d: TurnDeps): void {
  const tail = turn.transcoder?.flush();
  if (tail && tail.length > 0) d.paced.enqueue(tail);
}

/** Waits while the pacer holds more than HIGH_WATER_MS or the socket is backed up. False when aborted meanwhile. */
async function roomFor(d: TurnDeps, signal: AbortSignal): Promise<boolean> {
  try {
    if (d.paced.stats().queuedMs > HIGH_WATER_MS) await d.paced.whenBelow(LOW_WATER_MS, signal);
    while (d.socketBackedUp() && !signal.aborted) await d.sleep(20, signal);
  } catch {
    return false; // aborted (or the stream closed with the call)
  }
  return !signal.aborted;
}
