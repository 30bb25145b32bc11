import { startFakeOpenAi } from '@voice/testing';
import { describeSttContract } from '../testing/stt-contract';
import { utteranceMulaw } from '../testing/synthetic-speech';
import { createWhisperStt } from './whisper-stt';

describeSttContract('whisper', async () => {
  const fake = await startFakeOpenAi({ defaultTranscript: 'hello world' });
  const make = (apiKey: string) => createWhisperStt({ apiKey, baseUrl: fake.baseUrlOpenAi, vad: { hangoverMs: 300 } });
  return {
    provider: make('test-key'),
    badKeyProvider: make('wrong-key'),
    speech: utteranceMulaw(500, 900, 700),
    expectedText: 'hello world',
    stallNext: () => fake.script.transcription({ hang: 'before-headers' }),
    openUpstream: () => fake.inFlight(),
    upstreamCount: () => fake.requests.length,
    teardown: () => fake.close(),
  };
});
