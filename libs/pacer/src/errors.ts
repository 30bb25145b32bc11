/** Stable codes; documented in the README. */
export type PacerErrorCode = 'PACER_QUEUE_FULL' | 'PACER_CLOSED' | 'PACER_INVALID_OPTION' | 'PACER_SINK_FAILED';

const RETRYABLE: Record<PacerErrorCode, boolean> = {
  // Retry after `whenBelow()` resolves: the queue drains at real time.
  PACER_QUEUE_FULL: true,
  PACER_CLOSED: false,
  PACER_INVALID_OPTION: false,
  PACER_SINK_FAILED: false,
};

export class PacerError extends Error {
  override readonly name = 'PacerError';
  readonly code: PacerErrorCode;
  readonly retryable: boolean;

  constructor(code: PacerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retryable = RETRYABLE[code];
  }
}
