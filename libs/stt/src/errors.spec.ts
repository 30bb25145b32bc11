import { classifyFailure, parseRetryAfter, SttError } from './errors';

describe('classifyFailure', () => {
  it.each([
    [{ status: 401 }, 'STT_AUTH', false],
    [{ status: 402 }, 'STT_AUTH', false],
    [{ status: 403 }, 'STT_AUTH', false],
    [{ status: 429 }, 'STT_RATE_LIMITED', true],
    [{ status: 400 }, 'STT_BAD_REQUEST', false],
    [{ status: 408 }, 'STT_TIMEOUT', true],
    [{ status: 503 }, 'STT_PROVIDER_ERROR', true],
    [{ status: 418 }, 'STT_PROVIDER_ERROR', false],
    [{ closeCode: 1011, reason: 'NET-0000' }, 'STT_CONNECTION_LOST', true],
    [{ closeCode: 1011, reason: 'NET-0001' }, 'STT_CONNECTION_LOST', true],
    [{ closeCode: 1006 }, 'STT_CONNECTION_LOST', true],
    [{ closeCode: 1008, reason: 'DATA-0000' }, 'STT_BAD_REQUEST', false],
    [{ timeout: true }, 'STT_TIMEOUT', true],
    [{}, 'STT_CONNECTION_LOST', true],
  ] as const)('%j → %s (retryable %s)', (f, code, retryable) => {
    const e = classifyFailure(f, 'x', 'cause');
    expect(e).toBeInstanceOf(SttError);
    expect(e).toMatchObject({ code, retryable, provider: 'x', cause: 'cause' });
  });

  it('keeps status, close code and retry-after', () => {
    expect(classifyFailure({ status: 429, retryAfterMs: 2000 }, 'x')).toMatchObject({ status: 429, retryAfterMs: 2000 });
    expect(classifyFailure({ closeCode: 1011, reason: 'NET-0001' }, 'x').message).toBe('x: closed 1011: NET-0001');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
