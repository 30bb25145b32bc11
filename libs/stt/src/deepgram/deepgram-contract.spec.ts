import { type FakeDeepgram, startFakeDeepgram } from '@voice/testing';
import { patternAudio } from '../testing/audio-feed';
import { describeSttContract } from '../testing/stt-contract';
import { createDeepgramStt } from './deepgram-stt';

describeSttContract('deepgram', async () => {
  let stall = false;
  const fake: FakeDeepgram = await startFakeDeepgram({
    script: () =>
      stall
        ? []
        : [
            { atBytes: 1600, kind: 'speech_started' },
            { atBytes: 8000, kind: 'interim', text: 'hello' },
            { atBytes: 12_000, kind: 'final', text: 'hello world' },
            { atBytes: 12_000, kind: 'utterance_end' },
          ],
  });
  const make = (apiKey: string) => createDeepgramStt({ apiKey, baseUrl: fake.url, closeTimeoutMs: 500, replayRate: 50 });
  return {
    provider: make('test-key'),
    badKeyProvider: make('wrong-key'),
    speech: patternAudio(16_000),
    expectedText: 'hello world',
    stallNext: () => {
      stall = true;
    },
    openUpstream: () => fake.openConnections(),
    upstreamCount: () => fake.upgrades.length,
    teardown: () => fake.close(),
  };
});
