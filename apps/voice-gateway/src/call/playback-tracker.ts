/**
 * Playback truth from Twilio mark echoes (https://www.twilio.com/docs/voice/media-streams/websocket-messages): a mark
 * goes out after each sentence, named `<turnId>:<sentenceIndex>`; its echo means "played" before a `clear` and
 * "flushed" after it (Twilio echoes every pending mark on clear and never says which). Marks the pacer still held at
 * the clear were never sent: "dropped".
 */
export type SentenceState = 'queued' | 'sent' | 'played' | 'flushed' | 'dropped';

export interface SentenceRecord {
  readonly index: number;
  readonly text: string;
  readonly mark: string;
  state: SentenceState;
  markSentAt?: number;
}

export class TurnPlayback {
  readonly sentences: SentenceRecord[] = [];
  /** Every sentence of the reply has been queued (the reply's text is complete). */
  complete = false;
  cleared = false;

  constructor(readonly turnId: string) {}

  addSentence(text: string): SentenceRecord {
    const index = this.sentences.length;
    const s: SentenceRecord = { index, text, mark: `${this.turnId}:${index}`, state: 'queued' };
    this.sentences.push(s);
    return s;
  }

  /** What the caller heard: the sentences whose marks echoed before any clear. */
  playedText(): string {
    return this.sentences
      .filter((s) => s.state === 'played')
      .map((s) => s.text)
      .join(' ');
  }

  queuedText(): string {
    return this.sentences.map((s) => s.text).join(' ');
  }

  /** No mark of this reply is still waiting to be sent or echoed. */
  settled(): boolean {
    return this.sentences.every((s) => s.state !== 'queued' && s.state !== 'sent');
  }

  /** The reply is over for the caller: complete (or cleared) and every mark accounted for. */
  finished(): boolean {
    return (this.complete || this.cleared) && this.settled();
  }
}

export interface EchoResult {
  readonly turn: TurnPlayback;
  readonly sentence: SentenceRecord;
  readonly roundTripMs: number | undefined;
}

/** Per call: the replies whose marks may still echo. Unknown and late names are ignored, never thrown. */
export class PlaybackTracker {
  private readonly turns = new Map<string, TurnPlayback>();

  begin(turnId: string): TurnPlayback {
    const t = new TurnPlayback(turnId);
    this.turns.set(turnId, t);
    return t;
  }

  /** The pacer handed the mark to the socket. */
  markSent(name: string, at: number): void {
    const s = this.find(name)?.sentence;
    if (s && s.state === 'queued') {
      s.state = 'sent';
      s.markSentAt = at;
    }
  }

  /** A Twilio mark echo. Returns what it settled, or undefined for a name this call does not know. */
  onEcho(name: string, at: number): EchoResult | undefined {
    const found = this.find(name);
    if (!found || (found.sentence.state !== 'sent' && found.sentence.state !== 'queued')) return undefined;
    const { turn, sentence } = found;
    sentence.state = turn.cleared ? 'flushed' : 'played';
    const roundTripMs = sentence.markSentAt === undefined ? undefined : at - sentence.markSentAt;
    if (turn.finished()) this.turns.delete(turn.turnId);
    return { turn, sentence, roundTripMs };
  }

  /**
   * The turn was cleared: marks the pacer dropped will never echo; marks already sent will echo as "flushed".
   * Returns the text the caller heard.
   */
  clear(turn: TurnPlayback, droppedMarks: readonly string[]): string {
    turn.cleared = true;
    const dropped = new Set(droppedMarks);
    for (const s of turn.sentences) if (s.state === 'queued' || dropped.has(s.mark)) s.state = 'dropped';
    if (turn.finished()) this.turns.delete(turn.turnId);
    return turn.playedText();
  }

  get size(): number {
    return this.turns.size;
  }

  private find(name: string): { turn: TurnPlayback; sentence: SentenceRecord } | undefined {
    const colon = name.lastIndexOf(':');
    if (colon <= 0) return undefined;
    const turn = this.turns.get(name.slice(0, colon));
    const index = Number(name.slice(colon + 1));
    const sentence = turn?.sentences[index];
    return turn && sentence && sentence.mark === name ? { turn, sentence } : undefined;
  }
}
