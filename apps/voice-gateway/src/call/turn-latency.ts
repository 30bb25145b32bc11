import type { Logger } from 'pino';
import type { CallObserver } from './call-link';
import type { Turn } from './turn';

/**
 * A reply's first frame went out: its timeline goes to the observer (the softphone's waterfall) and, for replies
 * to the caller, to the log as `turn latency` with each stage in ms from the caller's speech end (the gateway's
 * fvad; from the STT final when no VAD runs), which is what the offline latency bench reads.
 */
export function reportLatency(turn: Turn, firstFrameAt: number, log: Logger, observer: CallObserver): void {
  if (turn.sttFinalAt !== undefined) {
    const zero = turn.speechEndAt ?? turn.sttFinalAt;
    const ms = (t: number | undefined): number | undefined => (t === undefined ? undefined : +(t - zero).toFixed(1));
    log.info(
      {
        turnId: turn.id,
        sttFinalMs: ms(turn.sttFinalAt),
        llmFirstTokenMs: ms(turn.llmFirstTokenAt),
        ttsFirstAudioMs: ms(turn.ttsFirstAudioAt),
        firstFrameMs: ms(firstFrameAt),
        fromSpeechEnd: turn.speechEndAt !== undefined,
      },
      'turn latency',
    );
  }
  observer.latency?.({
    turnId: turn.id,
    speechEndAt: turn.speechEndAt,
    sttFinalAt: turn.sttFinalAt,
    llmFirstTokenAt: turn.llmFirstTokenAt,
    ttsFirstAudioAt: turn.ttsFirstAudioAt,
    firstFrameAt,
  });
}
