// Runs the real gateway (apps/voice-gateway/src/main.ts) as a child process, configured only through its
// environment, with every provider pointed at fakes: how an operator would run it, minus the vendors.
import { type GatewayProcess, startGatewayProcess as startProcess } from '@voice/load';
import { type FakeCartesia, type FakeDeepgram, type FakeOpenAi } from '@voice/testing';

export type { GatewayProcess };

export function startGatewayProcess(f: { deepgram: FakeDeepgram; openai: FakeOpenAi; cartesia: FakeCartesia }, env: Record<string, string> = {}): Promise<GatewayProcess> {
  return startProcess(
    {
      PUBLIC_HOST: 'gw.example.com',
      TWILIO_AUTH_TOKEN: '12345',
      DEEPGRAM_API_KEY: f.deepgram.apiKey,
      DEEPGRAM_BASE_URL: f.deepgram.url,
      GROQ_API_KEY: f.openai.apiKey,
      GROQ_BASE_URL: f.openai.baseUrlGroq,
      CARTESIA_API_KEY: f.cartesia.apiKey,
      CARTESIA_VOICE_ID: 'voice-test',
      CARTESIA_BASE_URL: f.cartesia.url,
      IDLE_REPROMPT_MS: '0',
      ...env,
    },
    f.cartesia.ca,
  );
}
