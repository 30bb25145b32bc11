export { startFakeOpenAi } from './fake-openai';
export type { FakeOpenAi, FakeOpenAiOptions } from './fake-openai';
export { splitIntoDeltas } from './chat';
export { toneS16le, SPEECH_SAMPLE_RATE, MAX_SPEECH_INPUT } from './speech';
export { wavDurationSeconds } from './transcriptions';
export { parseMultipart, MultipartError } from './multipart';
export type {
  ChatScript,
  SpeechScript,
  TranscriptionScript,
  ScriptedToolCall,
  ResponseFaults,
  RecordedRequest,
  MultipartForm,
  UploadedFile,
  Scripted,
  FakeOpenAiVendor,
  FakeOpenAiEndpoint,
} from './types';
