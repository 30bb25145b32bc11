import { describeTtsContract, localTtsContractFake } from '../testing';
import { createLocalTts } from './local-tts';

describeTtsContract(
  'LocalTts (flite)',
  async () => {
    const provider = createLocalTts({ poolSize: 1 });
    return { provider, fake: localTtsContractFake(provider), teardown: () => provider.close() };
  },
  { vendorFailures: [] },
);
