export type { AudioEncoding, AudioFormat, AudioChunk } from './audio-format';
export { MULAW_8K, pcm16Format, bytesPerSecond, sameFormat } from './audio-format';
