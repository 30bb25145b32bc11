export type { TtsProvider, ClosableTtsProvider, TurnContext, SynthesizeOptions } from './types';
export { TtsError, classifyFailure, parseRetryAfter } from './tts-error';
export type { TtsErrorCode, TtsErrorOptions, WireFailure } from './tts-error';
export { DEFAULT_RETRY } from './retry';
export type { RetryPolicy } from './retry';
export { CartesiaTts } from './cartesia/cartesia-tts';
export type { CartesiaTtsOptions } from './cartesia/cartesia-tts';
