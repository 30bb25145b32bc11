import type { FakeOpenAi } from '@voice/testing';
import type { LlmProvider } from '../types';
import type { LlmContractHarness } from './llm-contract';

/** Adapts the OpenAI/Groq HTTP fake of `@voice/testing` to the LLM contract harness. */
export function fakeOpenAiHarness(fake: FakeOpenAi, provider: LlmProvider, maxRetries: number): LlmContractHarness {
  return {
    provider,
    maxRetries,
    scriptReply: (deltas) => fake.script.chat({ deltas }),
    scriptToolCall: (call) => fake.script.chat({ toolCalls: [call] }),
    scriptStall: (deltas) => fake.script.chat({ deltas, hang: 1 + deltas.length }), // role chunk + the deltas
    scriptNoResponse: () => fake.script.chat({ hang: 'before-headers' }),
    scriptFailure: (kind) => {
      const script =
        kind === 'auth'
          ? { status: 401 }
          : kind === 'rate-limited'
            ? { status: 429, retryAfter: '0' }
            : { deltas: ['Hel', 'lo'], malformedAfterChunks: 2 };
      fake.script.chat(...Array.from({ length: maxRetries + 2 }, () => script));
    },
    requestCount: () => fake.requests.length,
    waitForRequests: async (n) => {
      await fake.waitForRequests(n);
    },
    lastRequestClosedEarly: async () => {
      await fake.settled();
      return fake.requests.at(-1)?.clientAborted ?? false;
    },
    openRequests: () => fake.inFlight(),
    teardown: () => fake.close(),
  };
}
