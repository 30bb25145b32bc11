export { startFakeCartesia } from './fake-cartesia';
export type { FakeCartesia } from './fake-cartesia';
export type { FakeCartesiaConnection } from './connection';
export type {
  CartesiaContextOutcome,
  CartesiaContextRecord,
  CartesiaContextScript,
  CartesiaFrameRecord,
  CartesiaUpgradeFault,
  CartesiaUpgradeRecord,
  FakeCartesiaOptions,
} from './types';
export { cutAudio, fakeSpeechAudio, speechDurationMs } from './fake-audio';
export type { FakeAudioEncoding } from './fake-audio';
