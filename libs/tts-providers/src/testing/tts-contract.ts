import { type AudioChunk, sameFormat } from '@voice/audio-codec';
import { TtsError } from '../tts-error';
import type { TtsProvider } from '../types';
import { drain as collect, thrownBy as thrown } from './drain';

/** What the contract needs from the fake behind a provider (adapters for the fakes of @voice/testing: fake-adapters.ts). */
export interface TtsContractFake {
  /** Makes the next `times` requests (sockets, contexts, HTTP requests) fail this way. */
  failNext(kind: 'auth' | 'rate-limit', times: number): void;
  /** Makes the next request stream slowly (many chunks, some ms apart) so a test can abort mid-stream. */
  slowNext(): void;
  /** Resolves once the fake observed a cancellation: socket closed, request aborted, or a cancel frame. */
  waitForCancel(timeoutMs?: number): Promise<void>;
  /** Sockets or requests open at the fake right now. */
  openConnections(): number;
}

export interface TtsContractSetup {
  readonly provider: TtsProvider & { close?(): Promise<void> };
  readonly fake: TtsContractFake;
  /** Closes the provider (if it can be) and the fake. */
  teardown(): Promise<void>;
}

const bytes = (chunks: readonly AudioChunk[]): number => chunks.reduce((n, c) => n + c.data.length, 0);
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(predicate: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`contract: ${typeof what === 'string' ? what : what()} not reached within ${timeoutMs} ms`);
    await pause(10);
  }
}

export interface TtsContractOptions {
  /**
   * The vendor failures the fake can script (default both). A local engine has no key and no rate limit: pass `[]`
   * and those two tests are listed as skipped for it.
   */
  readonly vendorFailures?: readonly ('auth' | 'rate-limit')[];
}

/**
 * The contract every TtsProvider passes (issue "Providers"): audio in the declared format, one sentence per call,
 * quiet cancellation that reaches the wire, coded errors with a retryable flag, nothing left open afterwards.
 * `setup` runs before each test with a fresh fake and provider.
 */
export function describeTtsContract(name: string, setup: () => Promise<TtsContractSetup>, options: TtsContractOptions = {}): void {
  const failures = new Set(options.vendorFailures ?? ['auth', 'rate-limit']);
  describe(`TtsProvider contract: ${name}`, () => {
    let s: TtsContractSetup;
    beforeEach(async () => {
      s = await setup();
    });
    afterEach(async () => {
      await s.teardown();
    });

    it('yields non-empty audio chunks in its declared format', async () => {
      const chunks = await collect(s.provider.synthesize('Hello, this is a test.', { signal: new AbortController().signal }));
      expect(chunks.length).toBeGreaterThan(0);
      for (const c of chunks) {
        expect(c.data).toBeInstanceOf(Uint8Array);
        expect(c.data.length).toBeGreaterThan(0);
        expect(sameFormat(c.format, s.provider.format)).toBe(true);
      }
    });

    it('speaks a reply one sentence per call, each call ending with its own audio', async () => {
      const signal = new AbortController().signal;
      const sentences = ['First sentence.', 'Then a second one.', 'And the end.'];
      for (const [i, text] of sentences.entries()) {
        const chunks = await collect(s.provider.synthesize(text, { signal, context: { turnId: 'contract-turn', sentenceIndex: i, isLastSentence: i === 2 } }));
        expect(bytes(chunks)).toBeGreaterThan(0);
      }
    });

    it('ends quietly on abort mid-stream, yields nothing after it, and the fake sees the cancellation', async () => {
      s.fake.slowNext();
      const ac = new AbortController();
      let afterAbort = 0;
      let seen = 0;
      for await (const _ of s.provider.synthesize('A long sentence that streams slowly so that we can interrupt it.', { signal: ac.signal, context: { turnId: 'contract-abort' } })) {
        if (ac.signal.aborted) afterAbort += 1;
        seen += 1;
        if (seen === 1) ac.abort();
      }
      expect(seen).toBe(1);
      expect(afterAbort).toBe(0);
      await s.fake.waitForCancel(2000);
    });

    it('breaking out of the loop cancels like an abort', async () => {
      s.fake.slowNext();
      for await (const _ of s.provider.synthesize('Another long sentence that streams slowly, left after one chunk.', { signal: new AbortController().signal, context: { turnId: 'contract-break' } })) break;
      await s.fake.waitForCancel(2000);
    });

    it('yields nothing and throws nothing for an already aborted signal', async () => {
      const ac = new AbortController();
      ac.abort();
      expect(await collect(s.provider.synthesize('Never spoken.', { signal: ac.signal }))).toEqual([]);
    });

    (failures.has('auth') ? it : it.skip)('a refused key throws TtsError TTS_AUTH, not retryable', async () => {
      s.fake.failNext('auth', 10);
      const e = await thrown(s.provider.synthesize('Hello.', { signal: new AbortController().signal }));
      expect(e).toBeInstanceOf(TtsError);
      expect(e).toMatchObject({ code: 'TTS_AUTH', retryable: false });
      expect((e as TtsError).provider).toEqual(expect.any(String));
    });

    (failures.has('rate-limit') ? it : it.skip)('a rate limit throws TtsError TTS_RATE_LIMITED, retryable', async () => {
      s.fake.failNext('rate-limit', 10);
      const e = await thrown(s.provider.synthesize('Hello.', { signal: new AbortController().signal }));
      expect(e).toBeInstanceOf(TtsError);
      expect(e).toMatchObject({ code: 'TTS_RATE_LIMITED', retryable: true });
    });

    it('leaves no socket, request or timer behind', async () => {
      const before = timers();
      const signal = new AbortController().signal;
      await collect(s.provider.synthesize('One.', { signal }));
      s.fake.slowNext();
      const ac = new AbortController();
      for await (const _ of s.provider.synthesize('Interrupted sentence, streaming slowly.', { signal: ac.signal, context: { turnId: 'contract-leak' } })) ac.abort();
      await s.provider.close?.();
      await until(() => s.fake.openConnections() === 0, 2000, 'no open connection at the fake');
      // Client-side close handshakes (ws keeps a close timer until the TCP socket is gone) may finish a little later.
      await until(() => timers() <= before, 2000, () => `active timers back to ${before} (still ${timers()})`);
    });
  });
}
