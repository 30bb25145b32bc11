import { createOpenAiLlm } from './openai-compatible';
import { chunkSentences } from './sentence-chunker';
import type { LlmDelta } from './types';

// Talks to the real API; needs OPENAI_API_KEY. Without it the suite is skipped, and says so.
const apiKey = process.env['OPENAI_API_KEY'];
const d = apiKey ? describe : describe.skip;
if (!apiKey) console.warn('[live] skipping openai LLM tests: OPENAI_API_KEY is not set');

d('openai live', () => {
  jest.setTimeout(30_000);
  const provider = () => createOpenAiLlm({ apiKey: apiKey ?? '', maxTokens: 60 });

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
    const bad = createOpenAiLlm({ apiKey: 'invalid-key-for-test', maxRetries: 0 });
    const run = async () => {
      for await (const _ of bad.stream([{ role: 'user', content: 'hi' }], { signal: AbortSignal.timeout(20_000) })) void _;
    };
    await expect(run()).rejects.toMatchObject({ code: 'LLM_AUTH', retryable: false });
  });
});
