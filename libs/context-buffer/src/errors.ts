/**
 * The one error family of @voice/context-buffer. Every code is a rejected input or a misuse of the turn lifecycle:
 * the same call fails the same way again, so none is retryable. Codes are stable and listed in the README.
 */
export type ContextBufferErrorCode =
  | 'CONTEXT_INVALID_OPTION'
  | 'CONTEXT_INVALID_REQUEST'
  | 'CONTEXT_BAD_AUDIO'
  | 'CONTEXT_UNKNOWN_TURN'
  | 'CONTEXT_DUPLICATE_TURN'
  | 'CONTEXT_BAD_SENTENCE'
  | 'CONTEXT_BODY_TOO_LARGE';

export class ContextBufferError extends Error {
  override readonly name = 'ContextBufferError';
  readonly code: ContextBufferErrorCode;
  readonly retryable = false;

  constructor(code: ContextBufferErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isContextBufferError(e: unknown): e is ContextBufferError {
  return e instanceof ContextBufferError;
}
