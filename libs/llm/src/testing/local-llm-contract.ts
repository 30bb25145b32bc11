import { LlmError, type LlmErrorCode } from '../llm-error';
import type { ChatMessage, LlmDelta, LlmProvider } from '../types';
import { collect } from './collect-deltas';

/** What an in-process provider (no upstream server: scripted dialog, a local model) hands the shared contract. */
export interface LocalLlmContractHarness {
  provider: LlmProvider;
  /** A history the provider answers with `expectedText` (at least two words, so it streams several deltas). */
  history: readonly ChatMessage[];
  expectedText: string;
  /** Builds the provider from an invalid configuration; must throw an `LlmError` with `invalidCode`. */
  createInvalid(): unknown;
  invalidCode: LlmErrorCode;
  teardown(): Promise<void>;
}

const textOf = (events: readonly LlmDelta[]): string => events.map((e) => (e.type === 'text' ? e.text : '')).join('');

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * The part of the `LlmProvider` contract that applies to a provider with no upstream (`describeLlmContract` covers
 * HTTP providers against a fake server): ordered text deltas and one `done`, quiet aborts before and during the
 * stream, an early `break`, no shared state between concurrent streams, the history left untouched, a coded error
 * for a bad configuration, and no leaked timers or handles.
 */
export function describeLocalLlmContract(name: string, setup: () => Promise<LocalLlmContractHarness>): void {
  describe(`LlmProvider contract (local): ${name}`, () => {
    let h: LocalLlmContractHarness;
    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.teardown();
    });

    it('streams the reply as several text deltas in order, then exactly one done', async () => {
      const { events, error } = await collect(h.provider.stream(h.history, { signal: new AbortController().signal }));
      expect(error).toBeUndefined();
      expect(textOf(events)).toBe(h.expectedText);
      expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(1);
      expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
      expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
    });

    it('accepts tools without failing', async () => {
      const tools = [{ name: 'lookup_order', parameters: { type: 'object', properties: {} } }];
      const { events, error } = await collect(h.provider.stream(h.history, { signal: new AbortController().signal, tools }));
      expect(error).toBeUndefined();
      expect(events.at(-1)?.type).toBe('done');
    });

    it('ends quietly when aborted mid-stream, with no delta after the abort', async () => {
      const ac = new AbortController();
      const { events, error } = await collect(h.provider.stream(h.history, { signal: ac.signal }), (e) => {
        if (e.type === 'text') ac.abort();
        return true;
      });
      expect(error).toBeUndefined();
      expect(events).toHaveLength(1);
      expect(events[0]?.type).toBe('text');
      expect(h.expectedText.startsWith(textOf(events))).toBe(true);
    });

    it('does nothing for a signal that is already aborted', async () => {
      const ac = new AbortController();
      ac.abort();
      const { events, error } = await collect(h.provider.stream(h.history, { signal: ac.signal }));
      expect(error).toBeUndefined();
      expect(events).toEqual([]);
    });

    it('stops when the consumer breaks early, and the next stream is whole', async () => {
      const first = await collect(h.provider.stream(h.history, { signal: new AbortController().signal }), () => false);
      expect(first.events).toHaveLength(1);
      const second = await collect(h.provider.stream(h.history, { signal: new AbortController().signal }));
      expect(textOf(second.events)).toBe(h.expectedText);
    });

    it('keeps concurrent streams apart', async () => {
      const a = h.provider.stream(h.history, { signal: new AbortController().signal })[Symbol.asyncIterator]();
      const b = h.provider.stream(h.history, { signal: new AbortController().signal })[Symbol.asyncIterator]();
      const seen: [LlmDelta[], LlmDelta[]] = [[], []];
      for (let done = [false, false]; !done[0] || !done[1]; ) {
        for (const i of [0, 1] as const) {
          if (done[i]) continue;
          const r = await (i === 0 ? a : b).next();
          if (r.done) done[i] = true;
          else seen[i].push(r.value);
        }
      }
      expect(textOf(seen[0])).toBe(h.expectedText);
      expect(textOf(seen[1])).toBe(h.expectedText);
    });

    it('leaves the history untouched (a frozen history works)', async () => {
      const copy = structuredClone(h.history) as ChatMessage[];
      const frozen = deepFreeze(structuredClone(h.history) as ChatMessage[]);
      const { events, error } = await collect(h.provider.stream(frozen, { signal: new AbortController().signal }));
      expect(error).toBeUndefined();
      expect(textOf(events)).toBe(h.expectedText);
      expect(h.history).toEqual(copy);
    });

    it('rejects an invalid configuration with a coded, non-retryable LlmError', () => {
      let caught: unknown;
      try {
        h.createInvalid();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(LlmError);
      expect(caught).toMatchObject({ code: h.invalidCode, retryable: false });
    });

    it('leaks no timers or handles across completed and aborted streams', async () => {
      const before = process.getActiveResourcesInfo().length;
      await collect(h.provider.stream(h.history, { signal: new AbortController().signal }));
      const ac = new AbortController();
      await collect(h.provider.stream(h.history, { signal: ac.signal }), () => {
        ac.abort();
        return true;
      });
      expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(before);
    });
  });
}
