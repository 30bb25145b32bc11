/**
 * A rolling per-call buffer of what was said, for contextual TTS (Sesame CSM): caller transcripts with a short
 * caller snippet, and agent replies cut to what the caller actually heard, with a short synthesized snippet.
 *
 * Playback truth comes from Twilio mark echoes (docs/architecture.md, "Timing"), so an agent turn is
 * committed in steps: begin, append each synthesized sentence, confirm each sentence whose mark echoed, commit.
 * Only confirmed sentences (their text and their audio) enter. A turn keeps the place where it began, so a caller
 * turn that barges in lands after the reply it interrupted.
 */
import { ContextBufferError } from './errors';
import type { ContextBufferOptions, ResolvedOptions } from './options';
import { checkNumber, resolveOptions, secondsToSamples, snippetCapSeconds } from './options';
import { buildRequestBody } from './request-body';
import type { TtsRequestBody, TtsRequestOptions } from './request-body';
import { checkAudio, joinCapped, toSnippet } from './snippet';
import type { SnippetAudio } from './snippet';
import { normalizeText, trimText } from './text';
import type { AgentDraft, ContextTurnInfo, StoredTurn } from './turn';
import { turnInfo } from './turn';

export interface CommitOptions {
  /** The reply was cut by barge-in. Recorded on the turn; what enters is the confirmed sentences either way. */
  interrupted?: boolean;
}

export class ContextBuffer {
  readonly #o: ResolvedOptions;
  /** Snippet cap applied when audio is stored: the largest any request at the configured window will use. */
  readonly #storeCap: number;
  #window: number;
  /** Chronological; pending agent turns hold their place here. */
  #turns: StoredTurn[] = [];
  readonly #drafts = new Map<string, AgentDraft>();

  constructor(options: ContextBufferOptions = {}) {
    this.#o = resolveOptions(options);
    this.#window = this.#o.maxContextSeconds;
    this.#storeCap = secondsToSamples(snippetCapSeconds(this.#window, this.#o.maxSnippetSeconds), this.#o.snippetSampleRate);
  }

  /** The context audio window requests are built for now, in seconds (lowered by `shrink()`). */
  get windowSeconds(): number {
    return this.#window;
  }

  /** The per-snippet cap at the current window, in seconds. */
  get snippetSeconds(): number {
    return snippetCapSeconds(this.#window, this.#o.maxSnippetSeconds);
  }

  /** Agent turns begun and not yet committed. */
  get pendingTurns(): number {
    return this.#drafts.size;
  }

  /**
   * Adds what the caller said. `audio` is the utterance as PCM16 at any rate (decode Twilio μ-law first); it is
   * resampled to the snippet rate and only its last `snippetSeconds` are kept (its first ones with
   * `snippetKeep: 'start'`). Returns the stored turn, or undefined when there is neither text nor audio.
   */
  addCallerTurn(text: string, audio?: SnippetAudio): ContextTurnInfo | undefined {
    const o = this.#o;
    const clean = this.#text(text, 'addCallerTurn');
    const snippet = checkAudio(audio, 'addCallerTurn') ? toSnippet(audio, o.snippetSampleRate, this.#storeCap, o.snippetKeep) : undefined;
    if (clean === '' && snippet === undefined) return undefined;
    const turn: StoredTurn = { role: 'caller', speakerId: o.callerSpeakerId, text: clean, audio: snippet, pending: false, interrupted: false };
    this.#turns.push(turn);
    this.#evict();
    return turnInfo(turn, o.snippetSampleRate);
  }

  /** Opens an agent reply. `turnId` is yours (the reply's mark prefix, say); it must not be pending already. */
  beginAgentTurn(turnId: string): void {
    if (this.#drafts.has(turnId)) {
      throw new ContextBufferError('CONTEXT_DUPLICATE_TURN', `agent turn '${turnId}' is already pending`);
    }
    const turn: StoredTurn = { role: 'agent', speakerId: this.#o.agentSpeakerId, text: '', audio: undefined, pending: true, interrupted: false };
    this.#turns.push(turn);
    this.#drafts.set(turnId, { turn, sentences: [], confirmed: 0 });
  }

  /**
   * Records a synthesized sentence of a pending reply, with its audio as PCM16 at any rate (the provider's output,
   * before transcoding to μ-law, sounds closest to what CSM makes). Returns the sentence index for `confirmPlayed`.
   */
  appendAgentSentence(turnId: string, text: string, audio?: SnippetAudio): number {
    const d = this.#draft(turnId);
    const o = this.#o;
    const clean = this.#text(text, 'appendAgentSentence');
    // Each sentence keeps at most a snippet's worth: the turn's snippet is cut from their concatenation, and no
    // sentence can contribute more than the whole cap to it.
    const snippet = checkAudio(audio, 'appendAgentSentence') ? toSnippet(audio, o.snippetSampleRate, this.#storeCap, o.snippetKeep) : undefined;
    d.sentences.push({ text: clean, audio: snippet });
    return d.sentences.length - 1;
  }

  /**
   * A mark echo for sentence `sentenceIndex` arrived. Twilio plays and echoes in order, so it confirms every earlier
   * sentence too. Twilio also echoes marks it flushed on `clear`: confirm only echoes received before you sent it.
   */
  confirmPlayed(turnId: string, sentenceIndex: number): void {
    const d = this.#draft(turnId);
    if (!Number.isInteger(sentenceIndex) || sentenceIndex < 0 || sentenceIndex >= d.sentences.length) {
      throw new ContextBufferError('CONTEXT_BAD_SENTENCE', `turn '${turnId}' has no sentence ${String(sentenceIndex)} (it has ${d.sentences.length})`);
    }
    d.confirmed = Math.max(d.confirmed, sentenceIndex + 1);
  }

  /**
   * Closes a reply: the confirmed sentences enter (text joined, audio from the contiguous run of confirmed
   * sentences with audio at the kept end); unconfirmed ones are dropped. Returns the turn, or undefined when
   * nothing was heard (the turn then leaves no trace).
   */
  commitAgentTurn(turnId: string, options: CommitOptions = {}): ContextTurnInfo | undefined {
    const d = this.#draft(turnId);
    const o = this.#o;
    this.#drafts.delete(turnId);
    const heard = d.sentences.slice(0, d.confirmed);
    const text = trimText(heard.map((s) => s.text).filter((s) => s !== '').join(' '), o.maxTurnChars, o.snippetKeep);
    // A run without gaps, so the snippet is continuous speech and not two sentences spliced across a missing one.
    const run: Int16Array[] = [];
    const order = o.snippetKeep === 'end' ? [...heard].reverse() : heard;
    for (const s of order) {
      if (s.audio === undefined) break;
      run.push(s.audio);
    }
    if (o.snippetKeep === 'end') run.reverse();
    const audio = joinCapped(run, this.#storeCap, o.snippetKeep);
    const t = d.turn;
    if (text === '' && audio === undefined) {
      this.#turns = this.#turns.filter((x) => x !== t);
      return undefined;
    }
    t.text = text;
    t.audio = audio;
    t.pending = false;
    t.interrupted = options.interrupted === true;
    this.#evict();
    return turnInfo(t, o.snippetSampleRate);
  }

  /**
   * The `POST /tts` body with as much recent context as the caps allow, and its size. Newest turns are taken
   * while they fit the window (the oldest one that reaches it is cut to the room left, in whole samples); over
   * the byte budget, the audio of the oldest turns goes first, then the oldest turns. Pending turns are not sent.
   * Throws CONTEXT_BODY_TOO_LARGE when even the bare request is over budget.
   */
  toRequestBody(req: TtsRequestOptions): TtsRequestBody {
    const o = this.#o;
    const window = req.windowSeconds === undefined ? this.#window : checkRequestNumber('windowSeconds', req.windowSeconds, 0, false);
    const maxBodyBytes = req.maxBodyBytes === undefined ? o.maxBodyBytes : checkRequestNumber('maxBodyBytes', req.maxBodyBytes, 1, true);
    const rate = o.snippetSampleRate;
    return buildRequestBody(this.#turns, req, req.speakerId ?? o.agentSpeakerId, {
      windowSamples: secondsToSamples(window, rate),
      snippetSamples: secondsToSamples(snippetCapSeconds(window, o.maxSnippetSeconds), rate),
      minSnippetSamples: secondsToSamples(o.minSnippetSeconds, rate),
      maxTurns: o.maxTurns,
      maxBodyBytes,
      rate,
      keep: o.snippetKeep,
      windowSeconds: window,
    });
  }

  /**
   * Halves the window for every later request (the 413 rule: "halve the window and retry once"); below
   * `minSnippetSeconds` it becomes 0 (text-only context). Returns the new window.
   */
  shrink(): number {
    const half = this.#window / 2;
    this.#window = half < this.#o.minSnippetSeconds ? 0 : half;
    return this.#window;
  }

  /** Back to `maxContextSeconds`, e.g. after the service was reconfigured. */
  resetWindow(): void {
    this.#window = this.#o.maxContextSeconds;
  }

  /** The committed turns, oldest first. */
  turns(): ContextTurnInfo[] {
    return this.#turns.filter((t) => !t.pending).map((t) => turnInfo(t, this.#o.snippetSampleRate));
  }

  /** Forgets every turn, pending ones included (a new call, or a context reset). */
  clear(): void {
    this.#turns = [];
    this.#drafts.clear();
  }

  #draft(turnId: string): AgentDraft {
    const d = this.#drafts.get(turnId);
    if (d === undefined) throw new ContextBufferError('CONTEXT_UNKNOWN_TURN', `no pending agent turn '${String(turnId)}'`);
    return d;
  }

  #text(text: string, what: string): string {
    if (typeof text !== 'string') throw new ContextBufferError('CONTEXT_INVALID_REQUEST', `${what}: text must be a string`);
    return trimText(normalizeText(text), this.#o.maxTurnChars, this.#o.snippetKeep);
  }

  /**
   * Drops committed turns that no request at the configured window could send: those behind `maxTurns` newer
   * committed turns, or behind newer turns whose audio already fills the window. Memory stays bounded per call.
   */
  #evict(): void {
    const o = this.#o;
    const full = secondsToSamples(o.maxContextSeconds, o.snippetSampleRate);
    let count = 0;
    let used = 0;
    let cut = -1;
    for (let i = this.#turns.length - 1; i >= 0; i--) {
      const t = this.#turns[i];
      if (t.pending) continue;
      if (count >= o.maxTurns || (full > 0 && used >= full)) {
        cut = i;
        break;
      }
      count++;
      used += Math.min(t.audio?.length ?? 0, this.#storeCap);
    }
    if (cut >= 0) this.#turns = this.#turns.filter((t, i) => i > cut || t.pending);
  }
}

function checkRequestNumber(name: string, v: number, min: number, integer: boolean): number {
  try {
    return checkNumber(name, v, min, integer);
  } catch (cause) {
    throw new ContextBufferError('CONTEXT_INVALID_REQUEST', (cause as Error).message, { cause });
  }
}
