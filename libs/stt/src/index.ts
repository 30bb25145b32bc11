// Speech-to-text providers behind one interface (SttProvider), plus the fvad-based VAD they share.
export type { SttProvider, SttEvent, SttWord, TranscribeOptions } from './types';
export type { SttErrorCode, SttErrorOptions, WireFailure } from './errors';
export { SttError, classifyFailure } from './errors';
export type { BackoffPolicy } from './backoff';
export { DEFAULT_BACKOFF, backoffDelayMs } from './backoff';
export { spreadWords } from './words';

export type { DeepgramSttOptions } from './deepgram/deepgram-options';
export { createDeepgramStt } from './deepgram/deepgram-stt';

export type { WhisperSttOptions } from './whisper/whisper-options';
export { createWhisperStt } from './whisper/whisper-stt';

export type { Vad, VadOptions, VadFrameResult, VadSampleRate } from './vad/vad';
export { createVad } from './vad/vad';
export type { EndpointEvent, EndpointerOptions } from './vad/endpointer';
export { Endpointer } from './vad/endpointer';
export type { SpeechSegment, SegmenterEvent, SegmenterOptions } from './vad/segmenter';
export { VadSegmenter } from './vad/segmenter';

export type { LocalSttOptions, LocalTranscribeOptions, LocalDecodeMetrics, ExpectedPhrases } from './local/local-stt-options';
export { DEFAULT_GRAMMAR_RULE } from './local/local-stt-options';
export type { GrammarRule } from './local/fallback-rule';
export type { LocalSttProvider, LocalSttStats } from './local/local-stt';
export { createLocalStt } from './local/local-stt';
