import { Writable } from 'node:stream';
import { startFakeOpenAi, type FakeOpenAi } from '@voice/testing';
import pino from 'pino';
import { LlmError } from './llm-error';
import { createGroqLlm, createOpenAiCompatibleLlm, createOpenAiLlm, type OpenAiCompatibleLlmOptions } from './openai-compatible';
import { describeLlmContract, fakeOpenAiHarness } from './testing';
import type { ChatMessage, LlmDelta, LlmProvider, LlmRequestMetrics } from './types';

const FAST = { retryBaseDelayMs: 1, maxRetryDelayMs: 200, timeoutMs: 2000, idleTimeoutMs: 2000 };

for (const vendor of ['openai', 'groq'] as const) {
  describeLlmContract(`${vendor} (real SDK against the fake)`, async () => {
    const fake = await startFakeOpenAi();
    const baseUrl = vendor === 'openai' ? fake.baseUrlOpenAi : fake.baseUrlGroq;
    const provider = createOpenAiCompatibleLlm({ vendor, apiKey: fake.apiKey, baseUrl, maxRetries: 2, ...FAST });
    return fakeOpenAiHarness(fake, provider, 2);
  });
}

async function run(provider: LlmProvider, history: readonly ChatMessage[], signal = new AbortController().signal, tools?: Parameters<LlmProvider['stream']>[1]['tools']) {
  const events: LlmDelta[] = [];
  try {
    for await (const e of provider.stream(history, { signal, tools })) events.push(e);
    return { events, text: textOf(events) };
  } catch (error) {
    return { events, text: textOf(events), error: error as LlmError };
  }
}

function textOf(events: LlmDelta[]): string {
  return events.map((e) => (e.type === 'text' ? e.text : '')).join('');
}

const HISTORY: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Where is my order?' },
];

describe.each([
  ['openai', (f: FakeOpenAi) => f.baseUrlOpenAi, '/v1/chat/completions'],
  ['groq', (f: FakeOpenAi) => f.baseUrlGroq, '/openai/v1/chat/completions'],
] as const)('createOpenAiCompatibleLlm: %s', (vendor, baseUrlOf, path) => {
  let fake: FakeOpenAi;
  const make = (o: Partial<OpenAiCompatibleLlmOptions> = {}): LlmProvider =>
    createOpenAiCompatibleLlm({ vendor, apiKey: fake.apiKey, baseUrl: baseUrlOf(fake), maxRetries: 2, ...FAST, ...o });

  beforeEach(async () => {
    fake = await startFakeOpenAi();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('sends the documented request: model, history, tools, defaults for voice', async () => {
    const history: ChatMessage[] = [
      ...HISTORY,
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"id":1}' }] },
      { role: 'tool', content: '{"status":"shipped"}', toolCallId: 'call_9' },
    ];
    const tools = [{ name: 'lookup', description: 'Find an order', parameters: { type: 'object' } }];
    const { error } = await run(make(), history, undefined, tools);
    expect(error).toBeUndefined();
    const req = fake.requests[0];
    expect(req?.path).toBe(path);
    expect(req?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(req?.json).toMatchObject({
      model: vendor === 'groq' ? 'llama-3.1-8b-instant' : 'gpt-4o-mini',
      stream: true,
      temperature: 0.7,
      max_completion_tokens: 150,
      tools: [{ type: 'function', function: { name: 'lookup', description: 'Find an order', parameters: { type: 'object' } } }],
    });
    expect(req?.json?.['messages']).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Where is my order?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"id":1}' } }] },
      { role: 'tool', content: '{"status":"shipped"}', tool_call_id: 'call_9' },
    ]);
    // Groq reports usage in x_groq on the last chunk; only OpenAI needs include_usage.
    expect(req?.json?.['stream_options']).toEqual(vendor === 'openai' ? { include_usage: true } : undefined);
  });

  it('reports usage in done', async () => {
    fake.script.chat({ deltas: ['Hi', '.'], usage: { promptTokens: 12, completionTokens: 2 } });
    const { events } = await run(make(), HISTORY);
    expect(events.at(-1)).toEqual({ type: 'done', finishReason: 'stop', usage: { promptTokens: 12, completionTokens: 2 } });
  });

  it('assembles two parallel tool calls from interleaved fragments', async () => {
    fake.script.chat({
      toolCalls: [
        { id: 'a', name: 'one', arguments: '{"x":1}', argumentChunks: ['{"x"', ':1}'] },
        { id: 'b', name: 'two', arguments: '{"y":[1,2]}', argumentChunks: ['{', '"y":[1,', '2]}'] },
      ],
    });
    const { events } = await run(make(), HISTORY);
    expect(events).toEqual([
      { type: 'tool_call', call: { id: 'a', name: 'one', arguments: '{"x":1}' } },
      { type: 'tool_call', call: { id: 'b', name: 'two', arguments: '{"y":[1,2]}' } },
      expect.objectContaining({ type: 'done', finishReason: 'tool_calls' }),
    ]);
  });

  it('fails a wrong key with LLM_AUTH after one request, and the message holds no key', async () => {
    const secret = 'sk-live-SECRET-0123456789';
    const { error } = await run(make({ apiKey: secret }), HISTORY);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: 'LLM_AUTH', status: 401, retryable: false, provider: vendor });
    expect(error?.message).not.toContain('SECRET');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${secret}`);
  });

  it('retries 429 honouring retry-after, then streams', async () => {
    fake.script.chat({ status: 429, retryAfter: '0.05' }, { status: 503 }, { deltas: ['ok'] });
    const metrics: LlmRequestMetrics[] = [];
    const { text, error } = await run(make({ onMetrics: (m) => metrics.push(m) }), HISTORY);
    expect(error).toBeUndefined();
    expect(text).toBe('ok');
    expect(fake.requests.map((r) => r.status)).toEqual([429, 503, 200]);
    expect(metrics).toEqual([expect.objectContaining({ outcome: 'completed', attempts: 3, provider: vendor })]);
  });

  it('does not wait out a retry-after longer than the cap: fails at once with LLM_RATE_LIMITED', async () => {
    fake.script.chat({ status: 429, retryAfter: '30' });
    const { error } = await run(make({ maxRetryDelayMs: 100 }), HISTORY);
    expect(error).toMatchObject({ code: 'LLM_RATE_LIMITED', retryable: true, retryAfterMs: 30_000 });
    expect(fake.requests).toHaveLength(1);
  });

  it('never retries after text went out: a socket lost mid-stream fails with LLM_CONNECTION_LOST', async () => {
    // The delay lets the client read each event before the socket dies: fetch drops data still queued when the
    // body stream errors, which is how a real abrupt close behaves too.
    fake.script.chat({ deltas: ['Your', ' order', ' is'], destroyAfterChunks: 3, chunkDelayMs: 15 });
    const { text, error } = await run(make(), HISTORY);
    expect(text).toBe('Your order');
    expect(error).toMatchObject({ code: 'LLM_CONNECTION_LOST', retryable: true });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a connection lost before the first delta', async () => {
    fake.script.chat({ destroyAfterChunks: 0 }, { deltas: ['fine'] });
    const { text, error } = await run(make(), HISTORY);
    expect(error).toBeUndefined();
    expect(text).toBe('fine');
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry a 400: LLM_BAD_REQUEST', async () => {
    fake.script.chat({ status: 400 });
    const { error } = await run(make(), HISTORY);
    expect(error).toMatchObject({ code: 'LLM_BAD_REQUEST', status: 400, retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('times out a stalled stream with LLM_TIMEOUT and closes the request', async () => {
    fake.script.chat({ deltas: ['Hmm'], hang: 2 });
    const { text, error } = await run(make({ idleTimeoutMs: 60 }), HISTORY);
    expect(text).toBe('Hmm');
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT', retryable: true });
    await fake.settled();
    expect(fake.requests[0]?.clientAborted).toBe(true);
  });

  it('times out missing response headers with LLM_TIMEOUT (retried, then given up)', async () => {
    fake.script.chat({ hang: 'before-headers' }, { hang: 'before-headers' });
    const { error } = await run(make({ timeoutMs: 60, maxRetries: 1 }), HISTORY);
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT', retryable: true });
    expect(fake.requests).toHaveLength(2);
    await fake.settled();
    expect(fake.requests.every((r) => r.clientAborted)).toBe(true);
  });

  it('fails a stream that ends cleanly without finish_reason with LLM_CONNECTION_LOST', async () => {
    // Three events (role chunk, "x", "y"), then the response ends: no finish chunk, no [DONE].
    fake.script.chat({ deltas: ['x', 'y'], endAfterChunks: 3 });
    const { text, error } = await run(make(), HISTORY);
    expect(text).toBe('xy');
    expect(error).toMatchObject({ code: 'LLM_CONNECTION_LOST', retryable: true });
    expect(fake.requests).toHaveLength(1);
  });

  it('stops during a retry backoff when aborted, quietly', async () => {
    fake.script.chat({ status: 503, retryAfter: '0.15' });
    const ac = new AbortController();
    const provider = make({ maxRetryDelayMs: 1000 });
    const pending = run(provider, HISTORY, ac.signal);
    await fake.waitForRequests(1);
    await fake.settled();
    ac.abort();
    const { events, error } = await pending;
    expect(error).toBeUndefined();
    expect(events).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('logs retries without the key or the conversation', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) });
    const logger = pino({ level: 'debug' }, sink);
    fake.script.chat({ status: 500 });
    await run(make({ logger }), HISTORY);
    const all = lines.join('');
    expect(all).toContain('llm request retry');
    expect(all).not.toContain(fake.apiKey);
    expect(all).not.toContain('Where is my order');
  });
});

describe('factories', () => {
  it('createOpenAiLlm / createGroqLlm name the provider after the vendor', () => {
    expect(createOpenAiLlm({ apiKey: 'k' }).name).toBe('openai');
    expect(createGroqLlm({ apiKey: 'k' }).name).toBe('groq');
    expect(createGroqLlm({ apiKey: 'k', name: 'groq-fast' }).name).toBe('groq-fast');
  });

  it('rejects missing keys and bad retry counts with LLM_INVALID_OPTIONS', () => {
    expect(() => createOpenAiLlm({ apiKey: '' })).toThrow(expect.objectContaining({ code: 'LLM_INVALID_OPTIONS' }));
    expect(() => createGroqLlm({ apiKey: 'k', maxRetries: -1 })).toThrow(LlmError);
  });
});
