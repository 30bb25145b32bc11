import { startFakeCartesia, startFakeElevenLabs } from '@voice/testing';
import { CartesiaTts } from '../cartesia/cartesia-tts';
import { ElevenLabsTts } from '../elevenlabs/elevenlabs-tts';
import { cartesiaContractFake, describeTtsContract, elevenLabsContractFake, fallbackContractFake } from '../testing';
import { withFallback } from './with-fallback';

describeTtsContract('withFallback(CartesiaTts, ElevenLabsTts)', async () => {
  const cartesia = await startFakeCartesia({ msPerChar: 20 });
  const eleven = await startFakeElevenLabs({ msPerChar: 20 });
  const retry = { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 };
  const primary = new CartesiaTts({ apiKey: cartesia.apiKey, voiceId: 'voice', baseUrl: cartesia.url, tls: { ca: cartesia.ca }, retry });
  const fallback = new ElevenLabsTts({ apiKey: eleven.apiKey, voiceId: 'voice', baseUrl: eleven.url, retry });
  const provider = withFallback(primary, fallback, { firstAudioTimeoutMs: 3000 });
  return {
    provider,
    fake: fallbackContractFake(cartesiaContractFake(cartesia), elevenLabsContractFake(eleven)),
    async teardown() {
      await provider.close();
      await cartesia.close();
      await eleven.close();
    },
  };
});
