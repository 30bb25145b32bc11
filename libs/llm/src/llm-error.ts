/** Stable error codes of `@voice/llm`; documented in the README. */
export type LlmErrorCode =
  | 'LLM_AUTH'
  | 'LLM_RATE_LIMITED'
  | 'LLM_BAD_REQUEST'
  | 'LLM_PROVIDER_ERROR'
  | 'LLM_TIMEOUT'
  | 'LLM_CONNECTION_LOST'
  | 'LLM_BAD_RESPONSE'
  | 'LLM_INVALID_OPTIONS'
  /** The scripted provider's dialog script is invalid (thrown by `createScriptedLlm` / `parseDialogScript`). */
  | 'LLM_BAD_SCRIPT';

export interface LlmErrorInit {
  provider: string;
  retryable: boolean;
  status?: number;
  /** Server-requested wait before a retry (from `retry-after-ms` / `retry-after`). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The one error class of this lib. `message` never contains an API key. */
export class LlmError extends Error {
  readonly code: LlmErrorCode;
  readonly provider: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(code: LlmErrorCode, message: string, init: LlmErrorInit) {
    super(message, { cause: init.cause });
    this.name = 'LlmError';
    this.code = code;
    this.provider = init.provider;
    this.retryable = init.retryable;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * The one place HTTP statuses become codes. 408/409/429/5xx are worth another try (the same set the OpenAI and Groq
 * SDKs retry by default, `shouldRetry` in their client.js); 401/403 never are: a bad key does not heal.
 */
export function classifyHttpStatus(status: number): { code: LlmErrorCode; retryable: boolean } {
  if (status === 401 || status === 403) return { code: 'LLM_AUTH', retryable: false };
  if (status === 429) return { code: 'LLM_RATE_LIMITED', retryable: true };
  if (status === 408) return { code: 'LLM_TIMEOUT', retryable: true };
  if (status === 409 || status >= 500) return { code: 'LLM_PROVIDER_ERROR', retryable: true };
  if (status >= 400) return { code: 'LLM_BAD_REQUEST', retryable: false };
  return { code: 'LLM_BAD_RESPONSE', retryable: false };
}

// Key shapes of OpenAI (`sk-...`) and Groq (`gsk_...`), masked even when a vendor echoes part of a key back.
const KEY_PATTERN = /\b(?:sk|gsk)[-_][A-Za-z0-9_*-]{6,}/g;

/** Removes the API key, and anything shaped like one, from text that may come from a vendor. */
export function redact(text: string, apiKey: string): string {
  const masked = apiKey.length >= 4 ? text.split(apiKey).join('***') : text;
  return masked.replace(KEY_PATTERN, '***');
}
