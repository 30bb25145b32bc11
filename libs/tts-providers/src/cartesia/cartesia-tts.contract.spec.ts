import { startFakeCartesia } from '@voice/testing';
import { cartesiaContractFake, describeTtsContract } from '../testing';
import { CartesiaTts } from './cartesia-tts';

describeTtsContract('CartesiaTts', async () => {
  const fake = await startFakeCartesia({ msPerChar: 20 });
  const provider = new CartesiaTts({ apiKey: fake.apiKey, voiceId: 'voice', baseUrl: fake.url, tls: { ca: fake.ca }, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } });
  return {
    provider,
    fake: cartesiaContractFake(fake),
    async teardown() {
      await provider.close();
      await fake.close();
    },
  };
});
