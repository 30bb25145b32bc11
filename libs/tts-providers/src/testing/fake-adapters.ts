import type { FakeCartesia, FakeElevenLabs, FakeOpenAi } from '@voice/testing';
import type { TtsContractFake } from './tts-contract';

const times = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);

/** The fake Cartesia as the contract sees it: 401 upgrades, 429 error frames, cancel frames. */
export function cartesiaContractFake(fake: FakeCartesia): TtsContractFake {
  return {
    failNext: (kind, n) => (kind === 'auth' ? fake.failUpgrades(...times(n, { status: 401 })) : fake.scriptContexts(...times(n, { error: { status: 429 } }))),
    slowNext: () => fake.scriptContexts({ chunkIntervalMs: 20 }),
    waitForCancel: (ms) => fake.waitFor(() => [...fake.contexts.values()].some((c) => c.cancelled), ms, 'a cancel frame'),
    openConnections: () => fake.openConnections(),
  };
}

/** The fake ElevenLabs as the contract sees it: refused upgrades, and a client close without EOS as the cancel. */
export function elevenLabsContractFake(fake: FakeElevenLabs): TtsContractFake {
  return {
    failNext: (kind, n) => fake.failUpgrades(...times(n, { status: kind === 'auth' ? 401 : 429 })),
    slowNext: () => fake.scriptSessions({ chunkIntervalMs: 20 }),
    waitForCancel: (ms) => fake.waitFor(() => fake.sessions.some((s) => s.closed?.by === 'client' && !s.eosReceived), ms, 'a client close without EOS'),
    openConnections: () => fake.openConnections(),
  };
}

/** The fake OpenAI speech endpoint as the contract sees it: 401/429 responses, an aborted request as the cancel. */
export function openAiSpeechContractFake(fake: FakeOpenAi): TtsContractFake {
  return {
    failNext: (kind, n) => fake.script.speech(...times(n, kind === 'auth' ? { status: 401 } : { status: 429, retryAfter: '0' })),
    slowNext: () => fake.script.speech({ toneMs: 3000, chunks: 30, chunkDelayMs: 20 }),
    async waitForCancel(ms = 2000) {
      const end = Date.now() + ms;
      while (!fake.requests.some((r) => r.outcome === 'client-aborted')) {
        if (Date.now() > end) throw new Error(`fake OpenAI: no aborted request within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    openConnections: () => fake.inFlight(),
  };
}

/** Two fakes behind a `withFallback`: failures hit both, slowness the primary, a cancel on either counts. */
export function fallbackContractFake(primary: TtsContractFake, fallback: TtsContractFake): TtsContractFake {
  return {
    failNext: (kind, n) => {
      primary.failNext(kind, n);
      fallback.failNext(kind, n);
    },
    slowNext: () => primary.slowNext(),
    waitForCancel: (ms) => Promise.any([primary.waitForCancel(ms), fallback.waitForCancel(ms)]).then(() => undefined),
    openConnections: () => primary.openConnections() + fallback.openConnections(),
  };
}
