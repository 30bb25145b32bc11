import { LlmError } from '../llm-error';
import type { ChatMessage, LlmProvider } from '../types';
import { collect } from './collect-deltas';

/** What a provider's test setup hands the shared contract: the provider plus a way to script its upstream. */
export interface LlmContractHarness {
  provider: LlmProvider;
  /** The provider's `maxRetries`: a retryable failure may cost at most `maxRetries + 1` upstream requests. */
  maxRetries: number;
  /** The next request answers with these text deltas and `finish_reason: stop`. */
  scriptReply(deltas: readonly string[]): void;
  /** The next request answers with one tool call. */
  scriptToolCall(call: { name: string; arguments: string }): void;
  /** The next request sends these deltas, then stalls with the connection open. */
  scriptStall(deltasBeforeStall: readonly string[]): void;
  /** The next request never gets response headers. */
  scriptNoResponse(): void;
  /** Every request from now on fails this way (`malformed`: one delta `Hel`, then a malformed data line). */
  scriptFailure(kind: 'auth' | 'rate-limited' | 'malformed'): void;
  requestCount(): number;
  waitForRequests(count: number): Promise<void>;
  /** Waits until every upstream request has ended; true when the last one was closed by the client before its end. */
  lastRequestClosedEarly(): Promise<boolean>;
  /** Upstream requests not ended yet. */
  openRequests(): number;
  teardown(): Promise<void>;
}

const HISTORY: readonly ChatMessage[] = [
  { role: 'system', content: 'You are a phone agent.' },
  { role: 'user', content: 'Hello?' },
];

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/**
 * The behaviour every `LlmProvider` must show (issue "Providers", shared shape): ordered deltas and one final `done`,
 * whole tool calls, quiet aborts that close the upstream request, coded errors with a retryable flag, bounded
 * retries, no leaked requests or timers.
 */
export function describeLlmContract(name: string, setup: () => Promise<LlmContractHarness>): void {
  describe(`LlmProvider contract: ${name}`, () => {
    let h: LlmContractHarness;
    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.teardown();
    });

    it('streams text deltas in order, then exactly one done', async () => {
      h.scriptReply(['Hello', ' there', ', how', ' can I help?']);
      const { events, error } = await collect(h.provider.stream(HISTORY, { signal: new AbortController().signal }));
      expect(error).toBeUndefined();
      expect(events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.text : ''))).toEqual(['Hello', ' there', ', how', ' can I help?']);
      expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
      expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
      expect(h.requestCount()).toBe(1);
    });

    it('yields a tool call whole, before done', async () => {
      h.scriptToolCall({ name: 'lookup_order', arguments: '{"orderId":"A-1042","verbose":true}' });
      const tools = [{ name: 'lookup_order', parameters: { type: 'object', properties: { orderId: { type: 'string' } } } }];
      const { events, error } = await collect(h.provider.stream(HISTORY, { signal: new AbortController().signal, tools }));
      expect(error).toBeUndefined();
      const calls = events.filter((e) => e.type === 'tool_call');
      expect(calls).toHaveLength(1);
      const call = calls[0]?.type === 'tool_call' ? calls[0].call : undefined;
      expect(call).toMatchObject({ name: 'lookup_order', arguments: '{"orderId":"A-1042","verbose":true}' });
      expect(call?.id).toEqual(expect.any(String));
      expect(call?.id.length).toBeGreaterThan(0);
      expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'tool_calls' });
    });

    it('ends quietly when aborted mid-stream, and the upstream request is closed', async () => {
      h.scriptStall(['Let me', ' check']);
      const ac = new AbortController();
      const { events, error } = await collect(h.provider.stream(HISTORY, { signal: ac.signal }), (e) => {
        if (e.type === 'text') ac.abort();
        return true;
      });
      expect(error).toBeUndefined();
      expect(events.some((e) => e.type === 'done')).toBe(false);
      expect(events[0]).toEqual({ type: 'text', text: 'Let me' });
      expect(await h.lastRequestClosedEarly()).toBe(true);
      expect(h.openRequests()).toBe(0);
    });

    it('ends quietly when aborted before the first byte, and the request is aborted', async () => {
      h.scriptNoResponse();
      const ac = new AbortController();
      const run = collect(h.provider.stream(HISTORY, { signal: ac.signal }));
      await h.waitForRequests(1);
      ac.abort();
      const { events, error } = await run;
      expect(error).toBeUndefined();
      expect(events).toEqual([]);
      expect(await h.lastRequestClosedEarly()).toBe(true);
      expect(h.requestCount()).toBe(1);
    });

    it('does nothing for a signal that is already aborted', async () => {
      const ac = new AbortController();
      ac.abort();
      const { events, error } = await collect(h.provider.stream(HISTORY, { signal: ac.signal }));
      expect(error).toBeUndefined();
      expect(events).toEqual([]);
      expect(h.requestCount()).toBe(0);
    });

    it('closes the upstream request when the consumer stops early', async () => {
      h.scriptStall(['One', ' two']);
      const { events } = await collect(h.provider.stream(HISTORY, { signal: new AbortController().signal }), () => false);
      expect(events).toHaveLength(1);
      expect(await h.lastRequestClosedEarly()).toBe(true);
      expect(h.openRequests()).toBe(0);
    });

    it('fails a rejected key with LLM_AUTH, not retryable, without retrying', async () => {
      h.scriptFailure('auth');
      const { events, error } = await collect(h.provider.stream(HISTORY, { signal: new AbortController().signal }));
      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(LlmError);
      expect(error).toMatchObject({ code: 'LLM_AUTH', retryable: false, provider: h.provider.name });
      expect(h.requestCount()).toBe(1);
    });

    it('retries rate limiting a bounded number of times, then fails with LLM_RATE_LIMITED', async () => {
      h.scriptFailure('rate-limited');
      const { error } = await collect(h.provider.stream(HISTORY, { signal: new AbortController().signal }));
      expect(error).toMatchObject({ code: 'LLM_RATE_LIMITED', retryable: true });
      expect(h.requestCount()).toBe(h.maxRetries + 1);
    });

    it('fails malformed stream JSON with LLM_BAD_RESPONSE after the good deltas, and ends', async () => {
      h.scriptFailure('malformed');
      const { events, error } = await collect(h.provider.stream(HISTORY, { signal: new AbortController().signal }));
      expect(events).toEqual([{ type: 'text', text: 'Hel' }]);
      expect(error).toMatchObject({ code: 'LLM_BAD_RESPONSE' });
      expect(h.requestCount()).toBe(1);
      await h.lastRequestClosedEarly();
      expect(h.openRequests()).toBe(0);
    });

    it('leaks no requests or timers across completed and aborted streams', async () => {
      const before = timers();
      h.scriptReply(['a', 'b']);
      await collect(h.provider.stream(HISTORY, { signal: new AbortController().signal }));
      h.scriptStall(['c']);
      const ac = new AbortController();
      await collect(h.provider.stream(HISTORY, { signal: ac.signal }), () => {
        ac.abort();
        return true;
      });
      await h.lastRequestClosedEarly();
      expect(h.openRequests()).toBe(0);
      expect(timers()).toBeLessThanOrEqual(before);
    });
  });
}
