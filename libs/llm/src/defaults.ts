import type { LlmVendor } from './vendor-client';

/**
 * Defaults for a phone agent. Models: Groq `llama-3.1-8b-instant` (the fastest small Groq model) and OpenAI
 * `gpt-4o-mini` (OpenAI's small, fast chat model). Replies are short by design: a phone reply of about 300 characters
 * (~75 tokens) at most prevents long monologues; 150 tokens leaves room for two or three sentences. Retries stay
 * few and short because every second of backoff is silence on the line.
 */
export const LLM_DEFAULTS = {
  models: { groq: 'llama-3.1-8b-instant', openai: 'gpt-4o-mini' } as Record<LlmVendor, string>,
  temperature: 0.7,
  maxTokens: 150,
  /** Until the response headers arrive. */
  timeoutMs: 8_000,
  /** Longest silence between two stream chunks (and between the headers and the first chunk). */
  idleTimeoutMs: 5_000,
  maxRetries: 2,
  retryBaseDelayMs: 250,
  /** Cap on any retry wait; a longer `retry-after` fails at once with LLM_RATE_LIMITED. */
  maxRetryDelayMs: 2_000,
} as const;
