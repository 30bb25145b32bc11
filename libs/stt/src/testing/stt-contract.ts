import { pcm16Format } from '@voice/audio-codec';
import { SttError } from '../errors';
import type { SttEvent, SttProvider } from '../types';
import { collect, createAudioFeed, mulawFrames } from './audio-feed';

/** What a provider's spec gives the shared contract suite: the provider wired to its fake. */
export interface SttContractHarness {
  readonly provider: SttProvider;
  /** μ-law 8 kHz caller audio that the fake transcribes as `expectedText`. */
  readonly speech: Uint8Array;
  readonly expectedText: string;
  /** The same provider configured with a key the fake refuses. */
  readonly badKeyProvider: SttProvider;
  /** Make the next upstream request/socket stall (no transcript), so a cancel lands mid-request. */
  stallNext(): void;
  /** Upstream sockets or requests the fake still sees open / in flight. */
  openUpstream(): number;
  /** Upstream sockets or requests the fake has seen so far. */
  upstreamCount(): number;
  teardown(): Promise<void>;
}

const until = async (cond: () => boolean, what: string, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

export interface SttContractOptions {
  /**
   * True for a provider with no key (a local recogniser): the refused-key test is listed as skipped for it, and
   * `badKeyProvider` is not used.
   */
  readonly keyless?: boolean;
}

/**
 * The SttProvider contract every provider of @voice/stt passes (each against its fake): a normal utterance,
 * cancellation mid-stream, coded errors, and no leaked sockets or timers.
 */
export function describeSttContract(name: string, setup: () => Promise<SttContractHarness>, options: SttContractOptions = {}): void {
  describe(`SttProvider contract: ${name}`, () => {
    let h: SttContractHarness;
    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.teardown();
    });

    it('declares μ-law 8 kHz input and a name', () => {
      expect(h.provider.inputFormat).toEqual({ encoding: 'mulaw', sampleRate: 8000, channels: 1 });
      expect(h.provider.name).toMatch(/^[a-z0-9-]+$/);
    });

    it('transcribes an utterance: speech_started, final with the text, utterance_end, then ends', async () => {
      const { events, error } = await collect(h.provider.transcribe(mulawFrames(h.speech), { signal: new AbortController().signal }));
      expect(error).toBeUndefined();
      const kinds = events.map((e) => e.type);
      expect(kinds).not.toContain('error');
      const finals = events.filter((e): e is Extract<SttEvent, { type: 'final' }> => e.type === 'final');
      expect(finals.map((f) => f.text).join(' ')).toBe(h.expectedText);
      expect(finals[finals.length - 1].speechFinal).toBe(true);
      expect(kinds.indexOf('speech_started')).toBeGreaterThanOrEqual(0);
      expect(kinds.indexOf('speech_started')).toBeLessThan(kinds.indexOf('final'));
      expect(kinds.lastIndexOf('utterance_end')).toBeGreaterThan(kinds.lastIndexOf('final'));
      const durationMs = (h.speech.length / 8000) * 1000;
      const words = finals.flatMap((f) => f.words);
      expect(words.length).toBeGreaterThan(0);
      for (const [i, w] of words.entries()) {
        expect(w.startMs).toBeGreaterThanOrEqual(i === 0 ? 0 : words[i - 1].startMs);
        expect(w.endMs).toBeGreaterThanOrEqual(w.startMs);
        expect(w.endMs).toBeLessThanOrEqual(durationMs);
      }
      await until(() => h.openUpstream() === 0, 'upstream closed');
    });

    it('cancellation mid-stream ends the iterator quietly and closes the upstream on the wire', async () => {
      h.stallNext();
      const feed = createAudioFeed();
      const ac = new AbortController();
      feed.push(h.speech);
      const run = collect(h.provider.transcribe(feed, { signal: ac.signal }));
      await until(() => h.openUpstream() > 0, 'an upstream socket/request');
      ac.abort();
      const { events, error } = await run;
      expect(error).toBeUndefined();
      expect(events.filter((e) => e.type === 'error')).toEqual([]);
      await until(() => h.openUpstream() === 0, 'upstream closed after abort');
      expect(feed.returned).toBe(true);
    });

    it('an already-aborted signal yields nothing and opens nothing', async () => {
      const ac = new AbortController();
      ac.abort();
      const { events, error } = await collect(h.provider.transcribe(mulawFrames(h.speech), { signal: ac.signal }));
      expect(error).toBeUndefined();
      expect(events).toEqual([]);
      expect(h.upstreamCount()).toBe(0);
    });

    (options.keyless ? it.skip : it)('a refused key ends with SttError STT_AUTH, not retryable, naming the provider', async () => {
      const { error } = await collect(h.badKeyProvider.transcribe(mulawFrames(h.speech), { signal: new AbortController().signal }));
      expect(error).toBeInstanceOf(SttError);
      expect(error).toMatchObject({ code: 'STT_AUTH', retryable: false, provider: h.provider.name });
      expect(h.upstreamCount()).toBe(1);
    });

    it('audio in another format ends with STT_BAD_INPUT', async () => {
      const feed = createAudioFeed();
      feed.push(new Uint8Array(640), pcm16Format(16000));
      const { error } = await collect(h.provider.transcribe(feed, { signal: new AbortController().signal }));
      expect(error).toMatchObject({ code: 'STT_BAD_INPUT', retryable: false });
    });

    it('leaks nothing: no upstream left open, timers back to the baseline', async () => {
      const baseline = timers();
      await collect(h.provider.transcribe(mulawFrames(h.speech), { signal: new AbortController().signal }));
      const ac = new AbortController();
      const feed = createAudioFeed();
      feed.push(h.speech.subarray(0, 1600));
      const it = h.provider.transcribe(feed, { signal: ac.signal })[Symbol.asyncIterator]();
      const pending = it.next();
      await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      await pending;
      await until(() => h.openUpstream() === 0, 'upstream closed');
      await until(() => timers() <= baseline, 'timers released');
    });
  });
}
