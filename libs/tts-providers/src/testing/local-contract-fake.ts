import type { LocalTts } from '../local/local-tts';
import type { TtsContractFake } from './tts-contract';

/**
 * The local flite provider as the contract sees it. There is no server: the "connections" are its live worker
 * threads, and a cancellation is a sentence given up before its audio was consumed (the worker is terminated
 * if flite was still running). flite has no key and no rate limit, so `failNext` does not apply (register the
 * contract with `{ vendorFailures: [] }`); flite synthesizes a whole sentence at once, so there is nothing to slow.
 */
export function localTtsContractFake(provider: LocalTts): TtsContractFake {
  const cancelledBefore = provider.stats().cancelled;
  return {
    failNext: (kind) => {
      throw new Error(`local flite: no '${kind}' failure to script (register the contract with vendorFailures: [])`);
    },
    slowNext: () => undefined,
    async waitForCancel(ms = 2000) {
      const end = Date.now() + ms;
      while (provider.stats().cancelled === cancelledBefore) {
        if (Date.now() > end) throw new Error(`local flite: no cancelled sentence within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    openConnections: () => provider.stats().live,
  };
}
