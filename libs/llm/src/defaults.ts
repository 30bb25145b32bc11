import type { LlmVendor } from './vendor-client';

/**
 * Defaults for a phone agent. Models: Groq `llama-3.1-8b-instant` (seed 001: the fastest small Groq model, its
 * GROQ_MODEL default) and OpenAI `gpt-4o-mini` (seed 002: "GPT-4-mini"). Replies are short by design: seed 002 capped
 * phone replies at 300 characters (~75 tokens) "to prevent long monologues"; 150 tokens leaves room for two or three
 * sentences. Retries stay few and short because every second of backoff is silence on the line.
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
