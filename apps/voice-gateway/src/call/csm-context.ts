import { type AudioChunk, type AudioFormat, decodeMulaw } from '@voice/audio-codec';
import { ContextBuffer } from '@voice/context-buffer';
import type { SynthesizeOptions, TtsProvider } from '@voice/tts-providers';
import type { Logger } from 'pino';

/**
 * A call's own TTS, for providers that keep per-call state (CSM's context). The session feeds it what the caller
 * said and what the mark echoes say was heard; every hook must be cheap and must not throw.
 */
export interface CallTts {
  /** The TTS the call's turns use (it adds the call's context to each request). */
  readonly tts: TtsProvider;
  /** One 20 ms μ-law 8 kHz caller frame, as received (kept by reference: frames are fresh copies). */
  callerAudio(frame: Uint8Array, at: number): void;
  /** A final transcript became a user turn; `speechEndAt` is the local VAD's last speech frame, when known. */
  callerTurn(text: string, speechEndAt: number | undefined, at: number): void;
  /** The mark after sentence `sentenceIndex` of `turnId` echoed before any clear: the caller heard it. */
  played(turnId: string, sentenceIndex: number): void;
  /** The reply is over for the caller: played to its end, or cut by a barge-in (no later echo can confirm more). */
  turnEnded(turnId: string, interrupted: boolean): void;
  close(): Promise<void>;
}

export interface CsmCallContextOptions {
  /** Below the backchannel, above the fallback: what it yields is what the caller hears for a sentence. */
  readonly inner: TtsProvider;
  readonly maxContextSeconds: number;
  readonly agentSpeakerId: number;
  readonly log: Logger;
  /** Wraps the recording TTS (the backchannel goes here, so "Mm-hm." never enters a sentence's snippet). */
  readonly wrap?: (recording: TtsProvider) => TtsProvider;
}

/** Caller audio kept for the next caller snippet: more than the largest per-snippet cap (6 s). */
const CALLER_RING_FRAMES = 8 * 50;
/** Kept after the VAD's last speech frame: fvad calls the decay of the last syllable silence. */
const SPEECH_TAIL_MS = 100;
/** −40 dBFS: line noise and room tone stay below, speech is well above (G.711 idle noise is about −60 dBFS). */
const VOICED_RMS = 328;
const PAD_FRAMES = 5;

/**
 * The call's CSM context (docs/architecture.md "Contextual TTS (CSM)"): a `ContextBuffer` fed with the caller's final
 * transcripts and their audio (μ-law decoded here), and with the agent's sentences as synthesized, committed from
 * the mark echoes, so only what the caller actually heard is ever sent to CSM. `tts` wraps the shared CSM provider:
 * it puts this buffer in each request's context and records each sentence's audio for its snippet.
 */
export class CsmCallContext implements CallTts {
  readonly tts: TtsProvider;
  readonly buffer: ContextBuffer;
  private readonly frames: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(CALLER_RING_FRAMES);
  private readonly frameAt = new Float64Array(CALLER_RING_FRAMES);
  private head = 0;
  private count = 0;
  private lastCallerCut = -Infinity;
  /** Per pending agent turn: `[sentenceIndex, buffer index]` of each sentence appended, in order. */
  private readonly pending = new Map<string, Array<[number, number]>>();

  constructor(private readonly o: CsmCallContextOptions) {
    const agent = o.agentSpeakerId;
    this.buffer = new ContextBuffer({ maxContextSeconds: o.maxContextSeconds, agentSpeakerId: agent, callerSpeakerId: agent === 1 ? 0 : 1 });
    const inner = o.inner;
    const recording: TtsProvider = { name: inner.name, format: inner.format, synthesize: (text, so) => this.speak(text, so) };
    this.tts = o.wrap ? o.wrap(recording) : recording;
  }

  callerAudio(frame: Uint8Array, at: number): void {
    const i = (this.head + this.count) % CALLER_RING_FRAMES;
    this.frames[i] = frame;
    this.frameAt[i] = at;
    if (this.count < CALLER_RING_FRAMES) this.count++;
    else this.head = (this.head + 1) % CALLER_RING_FRAMES;
  }

  callerTurn(text: string, speechEndAt: number | undefined, at: number): void {
    // The utterance: frames since the previous caller turn, up to the VAD's speech end (a speech end from an earlier
    // utterance means the VAD missed this one: keep everything then).
    const end = speechEndAt !== undefined && speechEndAt > this.lastCallerCut ? speechEndAt + SPEECH_TAIL_MS : Infinity;
    const picked: Uint8Array[] = [];
    let bytes = 0;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % CALLER_RING_FRAMES;
      const t = this.frameAt[i] ?? 0;
      const f = this.frames[i];
      if (f && t > this.lastCallerCut && t <= end) {
        picked.push(f);
        bytes += f.length;
      }
    }
    this.lastCallerCut = at;
    const [from, to] = voicedSpan(picked);
    const voiced = picked.slice(from, to);
    const mulaw = new Uint8Array(voiced.reduce((n, f) => n + f.length, 0));
    bytes = 0;
    for (const f of voiced) {
      mulaw.set(f, bytes);
      bytes += f.length;
    }
    this.guard('caller turn', () => this.buffer.addCallerTurn(text, mulaw.length > 0 ? { samples: decodeMulaw(mulaw), sampleRate: 8000 } : undefined));
  }

  played(turnId: string, sentenceIndex: number): void {
    const sentences = this.pending.get(turnId);
    if (!sentences) return;
    // Marks play in order: the echo after sentence i confirms every sentence up to i (a sentence without audio
    // has no entry, so take the last one at or before i).
    let last: number | undefined;
    for (const [index, bufferIndex] of sentences) if (index <= sentenceIndex) last = bufferIndex;
    if (last !== undefined) this.guard('confirm', () => this.buffer.confirmPlayed(turnId, last));
  }

  turnEnded(turnId: string, interrupted: boolean): void {
    if (!this.pending.delete(turnId)) return;
    this.guard('commit', () => this.buffer.commitAgentTurn(turnId, { interrupted }));
  }

  async close(): Promise<void> {
    this.buffer.clear();
    this.pending.clear();
    this.frames.fill(undefined);
    this.count = 0;
  }

  /**
   * The shared provider with this call's buffer as `context.conversation`. A sentence spoken to its end (not aborted)
   * is appended with its audio; its mark follows, so `played` always finds it.
   */
  private async *speak(text: string, so: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    const ctx = so.context;
    if (ctx === undefined) {
      yield* this.o.inner.synthesize(text, so);
      return;
    }
    const chunks: Uint8Array[] = [];
    let format: AudioFormat | undefined;
    for await (const chunk of this.o.inner.synthesize(text, { signal: so.signal, context: { ...ctx, conversation: this.buffer } })) {
      chunks.push(chunk.data);
      format = chunk.format;
      yield chunk;
    }
    if (so.signal.aborted || format === undefined || text.trim() === '') return;
    const samples = toSamples(chunks, format, this.buffer.snippetSeconds);
    const turnId = ctx.turnId;
    this.guard('agent sentence', () => {
      let sentences = this.pending.get(turnId);
      if (!sentences) {
        this.buffer.beginAgentTurn(turnId);
        this.pending.set(turnId, (sentences = []));
      }
      sentences.push([ctx.sentenceIndex ?? sentences.length, this.buffer.appendAgentSentence(turnId, text, samples.length > 0 ? { samples, sampleRate: format.sampleRate } : undefined)]);
    });
  }

  /** Bad context input must never end a call: log it with its code; the turn goes on without that piece. */
  private guard(what: string, f: () => unknown): void {
    try {
      f();
    } catch (e) {
      this.o.log.warn({ code: (e as { code?: string }).code, err: e instanceof Error ? e.message : String(e) }, `csm context: ${what} skipped`);
    }
  }
}

/**
 * The frames from the first to the last one with speech energy, plus 100 ms either side: the frames since the
 * previous caller turn include the pause while the agent spoke. When nothing is loud enough, all are kept.
 */
function voicedSpan(frames: readonly Uint8Array[]): [number, number] {
  const pcm = new Int16Array(160);
  let first = -1;
  let last = -1;
  for (const [k, f] of frames.entries()) {
    const x = decodeMulaw(f.subarray(0, 160), pcm.subarray(0, Math.min(160, f.length)));
    let e = 0;
    for (const v of x) e += v * v;
    if (Math.sqrt(e / Math.max(1, x.length)) >= VOICED_RMS) {
      if (first < 0) first = k;
      last = k;
    }
  }
  if (first < 0) return [0, frames.length];
  return [Math.max(0, first - PAD_FRAMES), Math.min(frames.length, last + 1 + PAD_FRAMES)];
}

/** A sentence's audio as PCM16 samples, only its last `seconds` (the buffer keeps at most one snippet per sentence). */
function toSamples(chunks: readonly Uint8Array[], format: AudioFormat, seconds: number): Int16Array {
  const bytesPerSample = format.encoding === 'mulaw' ? 1 : 2;
  const keep = Math.ceil(seconds * format.sampleRate) * bytesPerSample;
  let total = 0;
  for (const c of chunks) total += c.length;
  total -= total % bytesPerSample;
  const take = Math.min(total, keep);
  // Copy into a fresh, aligned buffer: chunk views may sit at odd byte offsets, where no Int16Array view can start.
  const bytes = new Uint8Array(take);
  let skip = total - take;
  let at = 0;
  for (const c of chunks) {
    if (at >= take) break;
    const from = Math.min(c.length, skip);
    skip -= from;
    const part = c.subarray(from, Math.min(c.length, from + take - at));
    bytes.set(part, at);
    at += part.length;
  }
  if (format.encoding === 'mulaw') return decodeMulaw(bytes);
  // PCM16 little-endian (AudioFormat's pcm16); the hosts we run on are little-endian.
  return new Int16Array(bytes.buffer, 0, take / 2);
}
