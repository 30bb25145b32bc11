/** One turn as the buffer stores it. Mutable only inside the lib; callers see `ContextTurnInfo`. */
export interface StoredTurn {
  readonly role: 'caller' | 'agent';
  readonly speakerId: number;
  text: string;
  /** At the snippet rate, already capped to the storage snippet cap. */
  audio: Int16Array | undefined;
  /** An agent turn between `beginAgentTurn` and `commitAgentTurn`: it keeps its place but is never sent. */
  pending: boolean;
  interrupted: boolean;
  /** `{"speaker_id":N,"text":"…"` and its UTF-8 byte length, built on first use. */
  head?: { readonly json: string; readonly bytes: number };
  /** base64 WAV of the slice last sent, reused while the same slice is sent again (every sentence of a reply). */
  wav?: { readonly from: number; readonly length: number; readonly b64: string };
}

/** A committed turn, as `ContextBuffer.turns()` reports it. */
export interface ContextTurnInfo {
  readonly role: 'caller' | 'agent';
  readonly speakerId: number;
  readonly text: string;
  /** Seconds of stored snippet audio (0 when the turn has none). */
  readonly audioSeconds: number;
  /** An agent turn committed with `{ interrupted: true }`. */
  readonly interrupted: boolean;
}

export function turnInfo(t: StoredTurn, rate: number): ContextTurnInfo {
  return {
    role: t.role,
    speakerId: t.speakerId,
    text: t.text,
    audioSeconds: t.audio === undefined ? 0 : t.audio.length / rate,
    interrupted: t.interrupted,
  };
}

/** An agent reply while it is being synthesized and played. */
export interface AgentDraft {
  readonly turn: StoredTurn;
  readonly sentences: { readonly text: string; readonly audio: Int16Array | undefined }[];
  /** Sentences [0, confirmed) were heard: a mark echo for sentence i means everything queued before it played. */
  confirmed: number;
}
