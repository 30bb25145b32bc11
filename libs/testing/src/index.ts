// Fakes of every remote service, speaking the real wire protocols on 127.0.0.1. Import only from tests and tools.
// One export block per fake; each owner edits only its own lines.

// OpenAI + Groq HTTP API (chat completions SSE, audio speech, audio transcriptions): src/openai
export { startFakeOpenAi, splitIntoDeltas, toneS16le, SPEECH_SAMPLE_RATE, MAX_SPEECH_INPUT, wavDurationSeconds, parseMultipart, MultipartError } from './openai';
export type { FakeOpenAi, FakeOpenAiOptions, ChatScript, SpeechScript, TranscriptionScript, ScriptedToolCall, ResponseFaults, RecordedRequest, MultipartForm, UploadedFile, Scripted, FakeOpenAiVendor, FakeOpenAiEndpoint } from './openai';

// Deepgram live STT WebSocket (/v1/listen): src/deepgram
export { startFakeDeepgram, spreadFakeDeepgramWords } from './deepgram';
export type { FakeDeepgram, FakeDeepgramUpgrade, FakeDeepgramConnection, FakeDeepgramControl, DeepgramScriptStep, DeepgramUpgradeFault, FakeDeepgramOptions, FakeDeepgramWord } from './deepgram';

// Deterministic clock for timing code (pacer, timeouts): src/fake-clock.ts
export { FakeClock } from './fake-clock';
export type { FakeClockOptions, FakeTimer } from './fake-clock';

// Cartesia TTS WebSocket (wss /tts/websocket, TLS with the test certificate): src/cartesia
export { startFakeCartesia, fakeSpeechAudio, cutAudio, speechDurationMs } from './cartesia';
export type { FakeCartesia, FakeCartesiaConnection, FakeCartesiaOptions, CartesiaContextScript, CartesiaContextRecord, CartesiaContextOutcome, CartesiaFrameRecord, CartesiaUpgradeFault, CartesiaUpgradeRecord, FakeAudioEncoding } from './cartesia';

// Self-signed TLS certificate for 127.0.0.1/localhost (TEST-ONLY key, public): src/tls
export { TEST_TLS_CERT, TEST_TLS_KEY, testTlsClientOptions, testTlsServerOptions } from './tls';

// ElevenLabs stream-input WebSocket (/v1/text-to-speech/{voice_id}/stream-input, plain ws): src/elevenlabs
export { startFakeElevenLabs } from './elevenlabs';
export type { FakeElevenLabs, FakeElevenLabsOptions, FakeElevenLabsSession, ElevenLabsSessionScript, ElevenLabsUpgradeFault, ElevenLabsUpgradeRecord } from './elevenlabs';

// Twilio Media Streams: fake Twilio client (caller side of a bidirectional stream, playback + mark echoes): src/fake-twilio
export { FakeTwilioClient, FakeTwilioUpgradeError, connectFakeTwilio, checkGatewayFrame, TwilioPlayback, TWILIO_MAX_BUFFERED_BYTES, TWILIO_PLAYBACK_BYTES_PER_SECOND, mediaGapStats, signUpgrade, newTwilioSid, TWILIO_SID_PATTERN } from './fake-twilio';
export type { FakeTwilioClientOptions, TwilioSendAudioOptions, TwilioReceivedFrame, TwilioMarkRecord, TwilioViolation, TwilioCloseInfo, GatewayFrameCheck, GatewayFrameViolation, GatewayFrame, TwilioViolationCode, TwilioClock, TwilioMarkEcho, MediaGapStats, TwilioCallerAudio, TwilioSidPrefix } from './fake-twilio';

// Small net helpers for fakes and tests (listen on port 0, close servers without hanging jest): src/net.ts
export { listen, closeServer } from './net';
export type { Listening } from './net';

// CSM GPU service (services/csm-gpu: /health, POST /tts WAV | NDJSON stream | JSON, 413/422/503): src/csm
export { startFakeCsm, CSM_FRAME_SAMPLES, CSM_SAMPLE_RATE, csmWav, fakeCsmPcm, fakeCsmSamples } from './csm';
export type { FakeCsm, FakeCsmOptions, CsmScript, CsmScripted, CsmRecordedRequest, CsmRequestOutcome, CsmResponseMode, CsmServiceStatus, CsmTtsBody, CsmContextClip } from './csm';
