// Test helpers and the shared SttProvider contract suite (jest globals). Import from tests only.
export type { SttContractHarness, SttContractOptions } from './stt-contract';
export { describeSttContract } from './stt-contract';
export type { AudioFeed } from './audio-feed';
export { createAudioFeed, mulawFrames, patternAudio, collect } from './audio-feed';
export { syntheticVowel, quietNoise, concatPcm, utteranceMulaw } from './synthetic-speech';
export type { FliteSpeechOptions } from './flite-speech';
export { fliteMulaw, wordErrorRate } from './flite-speech';
