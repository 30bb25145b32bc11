export { startFakeElevenLabs } from './fake-elevenlabs';
export type { FakeElevenLabs } from './fake-elevenlabs';
export type {
  ElevenLabsSessionScript,
  ElevenLabsUpgradeFault,
  ElevenLabsUpgradeRecord,
  FakeElevenLabsOptions,
  FakeElevenLabsSession,
} from './types';
