import type { MediaSink } from '@voice/pacer';

/**
 * The caller's end of a call as a CallSession sees it: where paced μ-law frames, marks and clears go, with the
 * socket's state and back-pressure. Twilio's media stream is one (`TwilioLink`), the browser softphone another
 * (`BrowserLink`); the session never touches a socket itself.
 */
export interface CallLink extends MediaSink {
  /**
   * The far end drops its playback buffer at once and echoes every pending mark (Twilio `clear`,
   * https://www.twilio.com/docs/voice/media-streams/websocket-messages).
   */
  sendClear(): void;
  readonly isOpen: boolean;
  /** Bytes accepted but not yet written to the socket (`ws.bufferedAmount`). */
  readonly bufferedBytes: number;
  /** Ends the call from our side (RFC 6455 close code). */
  close(code: number, reason: string): void;
}

/** What a session reports to whoever shows the call (the softphone page); every hook is optional and must not throw. */
export interface CallObserver {
  /** Caller words: `final: false` is an interim that the next interim or final replaces. */
  callerText?(e: { readonly text: string; readonly final: boolean }): void;
  /** An agent sentence queued for speech; `mark` is the mark that will follow its audio. */
  agentText?(e: { readonly turnId: string; readonly text: string; readonly mark: string }): void;
  /** The first frame of a reply went out: its timeline, measured by the gateway. */
  latency?(e: TurnLatency): void;
  /** A reply ended: played to the end, or interrupted (with the text the caller heard). */
  turnEnded?(e: { readonly turnId: string; readonly outcome: 'completed' | 'interrupted' | 'failed'; readonly heard?: string }): void;
}

/**
 * One reply's timeline on the session clock (ms): caller speech end (the last frame the local VAD called speech
 * before the final transcript) → STT final → LLM first token → TTS first audio → first frame sent. Stages that did
 * not happen (a greeting has no STT final) are undefined.
 */
export interface TurnLatency {
  readonly turnId: string;
  readonly speechEndAt?: number;
  readonly sttFinalAt?: number;
  readonly llmFirstTokenAt?: number;
  readonly ttsFirstAudioAt?: number;
  readonly firstFrameAt: number;
}
