import { startFakeOpenAi } from '@voice/testing';
import { describeTtsContract, openAiSpeechContractFake } from '../testing';
import { OpenAiTts } from './openai-tts';

describeTtsContract('OpenAiTts', async () => {
  const fake = await startFakeOpenAi();
  const provider = new OpenAiTts({ apiKey: fake.apiKey, baseUrl: fake.baseUrlOpenAi, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } });
  return { provider, fake: openAiSpeechContractFake(fake), teardown: () => fake.close() };
});
