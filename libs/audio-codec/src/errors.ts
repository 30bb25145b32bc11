/**
 * The one error family of @voice/audio-codec. Every error here is a rejected input value (a buffer too small, an
 * unsupported rate, a malformed WAV), which is what ECMA-262 calls a RangeError ("a value that is not in the set or
 * range of allowable values"), so `instanceof RangeError` holds as well. Codes are stable and listed in the README.
 */
export type AudioCodecErrorCode =
  | 'AUDIO_BAD_WAV'
  | 'AUDIO_BAD_RATE'
  | 'AUDIO_BAD_FORMAT'
  | 'AUDIO_BAD_LENGTH'
  | 'AUDIO_BAD_FRAME_SIZE'
  | 'AUDIO_BUFFER_TOO_SMALL';

export class AudioCodecError extends RangeError {
  override readonly name = 'AudioCodecError';
  readonly code: AudioCodecErrorCode;
  /** Bad input stays bad on a retry. */
  readonly retryable = false;

  constructor(code: AudioCodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Throws AUDIO_BUFFER_TOO_SMALL unless `out` can hold `needed` elements. */
export function checkOut(out: ArrayLike<number>, needed: number, what: string): void {
  if (out.length < needed) {
    throw new AudioCodecError(
      'AUDIO_BUFFER_TOO_SMALL',
      `${what}: out has room for ${out.length} samples, ${needed} are needed`,
    );
  }
}
