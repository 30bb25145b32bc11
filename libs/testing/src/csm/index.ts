export { startFakeCsm } from './fake-csm';
export type { FakeCsm } from './fake-csm';
export { CSM_FRAME_SAMPLES, CSM_SAMPLE_RATE, csmWav, fakeCsmPcm, fakeCsmSamples } from './fake-csm-audio';
export type {
  CsmContextClip,
  CsmRecordedRequest,
  CsmRequestOutcome,
  CsmResponseMode,
  CsmScript,
  CsmScripted,
  CsmServiceStatus,
  CsmTtsBody,
  FakeCsmOptions,
} from './types';
