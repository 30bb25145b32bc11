import { describeSttContract } from '../testing/stt-contract';
import { fliteMulaw } from '../testing/flite-speech';
import { createLocalStt, type LocalSttProvider } from './local-stt';

jest.setTimeout(20_000); // real flite and PocketSphinx work in workers; a busy 2-core machine is slow

// Holds the shared decoder for the whole file, so each test's provider does not load it again (0.3–1 s).
let keeper: LocalSttProvider;
let speech: Uint8Array;
beforeAll(async () => {
  keeper = await createLocalStt();
  speech = await fliteMulaw('Hello, I would like to book a table.');
}, 30_000);
afterAll(() => keeper.close());

describeSttContract(
  'local (pocketsphinx)',
  async () => {
    const provider = await createLocalStt({ expectedPhrases: () => ['i would like to book a table', 'hello i would like to book a table', 'goodbye'] });
    return {
      provider,
      badKeyProvider: provider, // keyless: the refused-key test is skipped
      speech,
      expectedText: 'hello i would like to book a table',
      // A recogniser in a worker cannot be stalled; the stream itself is the "upstream" and stays open until the
      // input ends or the call aborts.
      stallNext: () => undefined,
      openUpstream: () => provider.stats().streamsOpen,
      upstreamCount: () => provider.stats().streams,
      teardown: () => provider.close(),
    };
  },
  { keyless: true },
);
