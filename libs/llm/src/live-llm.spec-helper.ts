import { chunkSentences } from './sentence-chunker';
import type { LlmDelta, LlmProvider } from './types';

/** One vendor's live suite: its name, the variable that holds its key, and its factory. */
export interface LiveLlmSuite {
  /** `openai`, `groq`: names the suite (`<name> live`) and the skip warning. */
  readonly name: string;
  /** The environment variable the spec read `apiKey` from (named in the warning when it is missing). */
  readonly keyVariable: string;
  readonly apiKey: string | undefined;
  readonly create: (o: { apiKey: string; maxTokens?: number; maxRetries?: number }) => LlmProvider;
}

/**
 * The same four checks against each vendor's real API (an OpenAI-compatible chat stream): a short streamed reply
 * with usage, a tool call, a quiet abort mid-stream, and LLM_AUTH for a wrong key. Without a key the suite is
 * skipped, and says so.
 */
export function describeLiveLlm({ name, keyVariable, apiKey, create }: LiveLlmSuite): void {
  const d = apiKey ? describe : describe.skip;
  if (!apiKey) console.warn(`[live] skipping ${name} LLM tests: ${keyVariable} is not set`);

  d(`${name} live`, () => {
    jest.setTimeout(30_000);
    const provider = () => create({ apiKey: apiKey ?? '', maxTokens: 60 });

    it('streams a short reply, then done with usage', async () => {
      const events: LlmDelta[] = [];
      const history = [
        { role: 'system' as const, content: 'Answer in one short sentence.' },
        { role: 'user' as const, content: 'Say hello to a caller named Sam.' },
      ];
      for await (const e of provider().stream(history, { signal: AbortSignal.timeout(20_000) })) events.push(e);
      const text = events.map((e) => (e.type === 'text' ? e.text : '')).join('');
      expect(text.length).toBeGreaterThan(0);
      expect(events.at(-1)).toMatchObject({ type: 'done' });
      const done = events.at(-1);
      expect(done?.type === 'done' && done.usage?.completionTokens).toBeGreaterThan(0);
    });

    it('calls a tool when asked', async () => {
      const tools = [{ name: 'end_call', description: 'Hang up the phone call.', parameters: { type: 'object', properties: {} } }];
      const history = [{ role: 'user' as const, content: 'Please hang up now. Use the end_call tool.' }];
      const calls: string[] = [];
      for await (const e of provider().stream(history, { signal: AbortSignal.timeout(20_000), tools })) {
        if (e.type === 'tool_call') calls.push(e.call.name);
      }
      expect(calls).toContain('end_call');
    });

    it('aborts mid-stream quietly', async () => {
      const ac = new AbortController();
      const history = [{ role: 'user' as const, content: 'Count from one to fifty in words.' }];
      let texts = 0;
      async function* deltas(): AsyncGenerator<string> {
        for await (const e of provider().stream(history, { signal: ac.signal })) {
          if (e.type === 'text') {
            texts++;
            if (texts === 3) ac.abort();
            yield e.text;
          }
        }
      }
      const chunks: string[] = [];
      for await (const c of chunkSentences(deltas())) chunks.push(c);
      expect(texts).toBe(3);
    });

    it('rejects a wrong key with LLM_AUTH', async () => {
      const bad = create({ apiKey: 'invalid-key-for-test', maxRetries: 0 });
      const run = async () => {
        for await (const _ of bad.stream([{ role: 'user', content: 'hi' }], { signal: AbortSignal.timeout(20_000) })) void _;
      };
      await expect(run()).rejects.toMatchObject({ code: 'LLM_AUTH', retryable: false });
    });
  });
}
