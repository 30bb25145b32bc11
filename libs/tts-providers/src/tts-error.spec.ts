import { retryBeforeAudio, retryDelayMs } from './retry';
import { classifyFailure, parseRetryAfter, TtsError } from './tts-error';

describe('classifyFailure', () => {
  it.each([
    [{ status: 401 }, 'TTS_AUTH', false],
    [{ status: 403 }, 'TTS_AUTH', false],
    [{ status: 429 }, 'TTS_RATE_LIMITED', true],
    [{ status: 408 }, 'TTS_TIMEOUT', true],
    [{ status: 400 }, 'TTS_BAD_REQUEST', false],
    [{ status: 422 }, 'TTS_BAD_REQUEST', false],
    [{ status: 500 }, 'TTS_PROVIDER_ERROR', true],
    [{ status: 503 }, 'TTS_PROVIDER_ERROR', true],
    [{ status: 402 }, 'TTS_PROVIDER_ERROR', false],
    [{ closeCode: 1008, authRejected: true }, 'TTS_AUTH', false],
    [{ closeCode: 1008, timeout: true }, 'TTS_TIMEOUT', true],
    [{ closeCode: 1008 }, 'TTS_BAD_REQUEST', false],
    [{ closeCode: 1011 }, 'TTS_CONNECTION_LOST', true],
    [{ closeCode: 1006 }, 'TTS_CONNECTION_LOST', true],
    [{}, 'TTS_CONNECTION_LOST', true],
  ])('%j → %s (retryable %s)', (failure, code, retryable) => {
    const e = classifyFailure(failure, 'p');
    expect(e).toBeInstanceOf(TtsError);
    expect(e).toMatchObject({ code, retryable, provider: 'p' });
  });

  it('keeps status, close code, retry-after and cause', () => {
    const cause = new Error('x');
    expect(classifyFailure({ status: 429, retryAfterMs: 1500, reason: 'slow down' }, 'p', cause)).toMatchObject({
      status: 429,
      retryAfterMs: 1500,
      cause,
      message: 'p: HTTP 429: slow down',
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores junk', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(['0.5'])).toBe(500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('retry', () => {
  const policy = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000 };
  const err = (retryAfterMs?: number): TtsError => new TtsError('TTS_RATE_LIMITED', 'x', { provider: 'p', retryable: true, retryAfterMs });

  it('backs off exponentially with jitter, honours retry-after, and never waits past the cap', () => {
    expect(retryDelayMs(0, err(), policy, () => 0.5)).toBe(100);
    expect(retryDelayMs(2, err(), policy, () => 0.5)).toBe(400);
    expect(retryDelayMs(0, err(), policy, () => 0)).toBe(80);
    expect(retryDelayMs(0, err(600), policy, () => 0.5)).toBe(600);
    expect(retryDelayMs(0, err(30_000), policy, () => 0.5)).toBe(1000);
    expect(retryDelayMs(9, err(), policy, () => 1)).toBe(1000);
  });

  it('retries only retryable errors thrown before any item, at most maxRetries times', async () => {
    const signal = new AbortController().signal;
    let calls = 0;
    // eslint-disable-next-line require-yield -- an attempt that fails before its first item
    const failing = async function* (): AsyncGenerator<number> {
      calls += 1;
      throw err(0);
    };
    await expect(async () => {
      for await (const _ of retryBeforeAudio(failing, { ...policy, baseDelayMs: 1 }, signal));
    }).rejects.toMatchObject({ code: 'TTS_RATE_LIMITED' });
    expect(calls).toBe(3);

    calls = 0;
    const afterItem = async function* (): AsyncGenerator<number> {
      calls += 1;
      yield 1;
      throw err(0);
    };
    const got: number[] = [];
    await expect(async () => {
      for await (const n of retryBeforeAudio(afterItem, { ...policy, baseDelayMs: 1 }, signal)) got.push(n);
    }).rejects.toBeInstanceOf(TtsError);
    expect([calls, got]).toEqual([1, [1]]);

    calls = 0;
    // eslint-disable-next-line require-yield -- an attempt that fails before its first item
    const auth = async function* (): AsyncGenerator<number> {
      calls += 1;
      throw new TtsError('TTS_AUTH', 'x', { provider: 'p', retryable: false });
    };
    await expect(async () => {
      for await (const _ of retryBeforeAudio(auth, policy, signal));
    }).rejects.toMatchObject({ code: 'TTS_AUTH' });
    expect(calls).toBe(1);
  });

  it('an abort during the backoff ends quietly', async () => {
    const ac = new AbortController();
    // eslint-disable-next-line require-yield -- an attempt that fails before its first item
    const failing = async function* (): AsyncGenerator<number> {
      ac.abort();
      throw err(0);
    };
    const got: number[] = [];
    for await (const n of retryBeforeAudio(failing, { maxRetries: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, ac.signal)) got.push(n);
    expect(got).toEqual([]);
  });
});
