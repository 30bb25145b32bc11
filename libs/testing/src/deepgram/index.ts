export { startFakeDeepgram } from './fake-deepgram';
export type { FakeDeepgram, FakeDeepgramUpgrade } from './fake-deepgram';
export type { FakeDeepgramConnection, FakeDeepgramControl } from './connection';
export type { DeepgramScriptStep, DeepgramUpgradeFault, FakeDeepgramOptions } from './script';
export type { FakeDeepgramWord } from './messages';
export { spreadWords as spreadFakeDeepgramWords } from './messages';
