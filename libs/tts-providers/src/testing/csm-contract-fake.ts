import type { FakeCsm } from '@voice/testing';
import type { TtsContractFake } from './tts-contract';

/**
 * The fake CSM service as the contract sees it: 401 (the fake started with an `apiKey`, playing the proxy in front of
 * csm-gpu) and 429 scripted answers, a slow stream, and a client-aborted request as the cancel.
 */
export function csmContractFake(fake: FakeCsm): TtsContractFake {
  return {
    failNext: (kind, n) => fake.script(...Array.from({ length: n }, () => (kind === 'auth' ? { status: 401, code: 'unauthorized' } : { status: 429, retryAfter: '0' }))),
    slowNext: () => fake.script({ durationMs: 3000, chunkDelayMs: 20 }),
    waitForCancel: (ms) => fake.waitFor(() => fake.ttsRequests().some((r) => r.outcome === 'client-aborted'), ms, 'a client-aborted /tts request'),
    openConnections: () => fake.openConnections(),
  };
}
