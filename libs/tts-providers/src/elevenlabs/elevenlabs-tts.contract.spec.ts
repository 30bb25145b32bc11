import { startFakeElevenLabs } from '@voice/testing';
import { describeTtsContract, elevenLabsContractFake } from '../testing';
import { ElevenLabsTts } from './elevenlabs-tts';

describeTtsContract('ElevenLabsTts', async () => {
  const fake = await startFakeElevenLabs({ msPerChar: 20 });
  const provider = new ElevenLabsTts({ apiKey: fake.apiKey, voiceId: 'voice', baseUrl: fake.url, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } });
  return {
    provider,
    fake: elevenLabsContractFake(fake),
    async teardown() {
      await provider.close();
      await fake.close();
    },
  };
});
