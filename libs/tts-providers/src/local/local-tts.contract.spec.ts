import { describeTtsContract, localTtsContractFake } from '../testing';
import { createLocalTts } from './local-tts';

jest.setTimeout(20_000); // real flite synthesis in workers; a busy 2-core machine is slow

describeTtsContract(
  'LocalTts (flite)',
  async () => {
    const provider = createLocalTts({ poolSize: 1 });
    return { provider, fake: localTtsContractFake(provider), teardown: () => provider.close() };
  },
  { vendorFailures: [] },
);
