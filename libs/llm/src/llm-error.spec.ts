import { classifyHttpStatus, LlmError, redact } from './llm-error';

describe('classifyHttpStatus', () => {
  it.each([
    [401, 'LLM_AUTH', false],
    [403, 'LLM_AUTH', false],
    [429, 'LLM_RATE_LIMITED', true],
    [408, 'LLM_TIMEOUT', true],
    [409, 'LLM_PROVIDER_ERROR', true],
    [500, 'LLM_PROVIDER_ERROR', true],
    [503, 'LLM_PROVIDER_ERROR', true],
    [400, 'LLM_BAD_REQUEST', false],
    [404, 'LLM_BAD_REQUEST', false],
    [422, 'LLM_BAD_REQUEST', false],
  ])('%i → %s (retryable %s)', (status, code, retryable) => {
    expect(classifyHttpStatus(status)).toEqual({ code, retryable });
  });
});

describe('redact', () => {
  it('masks the key and key-shaped strings', () => {
    expect(redact('bad key my-secret-key here', 'my-secret-key')).toBe('bad key *** here');
    expect(redact('Incorrect API key provided: sk-proj-abc123***wxyz.', 'other')).toBe('Incorrect API key provided: ***.');
    expect(redact('key gsk_0123456789abcdef rejected', 'other')).toBe('key *** rejected');
  });
});

describe('LlmError', () => {
  it('carries code, provider, retryable, status and cause', () => {
    const cause = new Error('root');
    const e = new LlmError('LLM_RATE_LIMITED', 'slow down', { provider: 'groq', retryable: true, status: 429, retryAfterMs: 50, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'LlmError', code: 'LLM_RATE_LIMITED', provider: 'groq', retryable: true, status: 429, retryAfterMs: 50 });
    expect(e.cause).toBe(cause);
  });
});
