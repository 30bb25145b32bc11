export { ContextBuffer } from './context-buffer';
export type { CommitOptions } from './context-buffer';
export type { ContextBufferOptions, SnippetKeep } from './options';
export { CONTEXT_BUFFER_DEFAULTS } from './options';
export type { SnippetAudio } from './snippet';
export type { ContextTurnInfo } from './turn';
export type { TtsRequestOptions, TtsRequestBody } from './request-body';
export { ContextBufferError, isContextBufferError } from './errors';
export type { ContextBufferErrorCode } from './errors';
