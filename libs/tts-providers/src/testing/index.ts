// The ./testing subpath of @voice/tts-providers: the TtsProvider contract suite and adapters for the fakes of
// @voice/testing. For specs and tools only.
export { describeTtsContract } from './tts-contract';
export type { TtsContractFake, TtsContractOptions, TtsContractSetup } from './tts-contract';
export { cartesiaContractFake, elevenLabsContractFake, fallbackContractFake, openAiSpeechContractFake } from './fake-adapters';
export { csmContractFake } from './csm-contract-fake';
export { localTtsContractFake } from './local-contract-fake';
