import type { Logger } from 'pino';
import { Attempt } from './attempt';
import { LLM_DEFAULTS } from './defaults';
import { classifyHttpStatus, LlmError, redact } from './llm-error';
import { abortableSleep, parseRetryAfterMs, retryDelayMs } from './retry';
import { ToolCallAssembler } from './tool-call-assembler';
import type { ChatMessage, LlmDelta, LlmProvider, LlmRequestMetrics, LlmStreamOptions, LlmUsage } from './types';
import { createChatClient, DEFAULT_BASE_URLS, type ChatClient, type LlmVendor, type SdkFailure, type WireChunk } from './vendor-client';
import { buildWireRequest } from './wire-request';

export interface OpenAiCompatibleLlmOptions {
  vendor: LlmVendor;
  apiKey: string;
  /** OpenAI: including `/v1`. Groq: the root; the SDK appends `/openai/v1`. */
  baseUrl?: string;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Wait for response headers. */
  timeoutMs?: number;
  /** Longest gap between stream chunks. */
  idleTimeoutMs?: number;
  /** Retries before the first delta only. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  logger?: Logger;
  onMetrics?: (m: LlmRequestMetrics) => void;
  /** `provider` on errors and metrics; default the vendor name. */
  name?: string;
}

function toLlmError(f: SdkFailure, provider: string, apiKey: string, cause: unknown): LlmError {
  switch (f.kind) {
    case 'status': {
      const { code, retryable } = classifyHttpStatus(f.status);
      // Vendor text of auth failures can echo part of the key: say only what happened.
      const detail = code === 'LLM_AUTH' ? 'the API key was rejected' : redact(f.message, apiKey);
      return new LlmError(code, `${provider}: HTTP ${f.status}: ${detail}`, {
        provider, retryable, status: f.status, retryAfterMs: parseRetryAfterMs(f.headers), cause,
      });
    }
    case 'timeout':
      return new LlmError('LLM_TIMEOUT', `${provider}: no response headers in time`, { provider, retryable: true, cause });
    case 'connection':
      return new LlmError('LLM_CONNECTION_LOST', `${provider}: connection failed or closed mid-stream`, { provider, retryable: true, cause });
    case 'stream-error':
      return new LlmError('LLM_PROVIDER_ERROR', `${provider}: error event in stream: ${redact(f.message, apiKey)}`, { provider, retryable: true, cause });
    case 'parse':
      return new LlmError('LLM_BAD_RESPONSE', `${provider}: malformed JSON in the event stream`, { provider, retryable: false, cause });
    default:
      return new LlmError('LLM_PROVIDER_ERROR', `${provider}: unexpected failure`, { provider, retryable: false, cause });
  }
}

function usageOf(chunk: WireChunk): LlmUsage | undefined {
  const u = chunk.usage ?? chunk.x_groq?.usage;
  return u ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens } : undefined;
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new LlmError('LLM_INVALID_OPTIONS', `invalid option: ${what}`, { provider: 'llm', retryable: false });
}

/**
 * An `LlmProvider` for OpenAI's Chat Completions API or Groq's OpenAI-compatible one, through the vendor's own SDK.
 * Streams text deltas as they arrive; tool calls are assembled from their fragments and yielded whole before `done`.
 */
export function createOpenAiCompatibleLlm(options: OpenAiCompatibleLlmOptions): LlmProvider {
  const o = { ...LLM_DEFAULTS, ...stripUndefined(options) };
  check(o.vendor === 'openai' || o.vendor === 'groq', 'vendor must be openai or groq');
  check(typeof o.apiKey === 'string' && o.apiKey.length > 0, 'apiKey is required');
  check(Number.isInteger(o.maxRetries) && o.maxRetries >= 0, 'maxRetries must be an integer >= 0');
  check(o.timeoutMs > 0 && o.idleTimeoutMs > 0, 'timeouts must be > 0');
  const name = o.name ?? o.vendor;
  const model = o.model ?? LLM_DEFAULTS.models[o.vendor];
  const log = o.logger?.child({ llm: name, model });
  let client: ChatClient | undefined; // built on first use, not in the factory

  async function* stream(history: readonly ChatMessage[], so: LlmStreamOptions): AsyncGenerator<LlmDelta> {
    const { signal } = so;
    const started = performance.now();
    const m: LlmRequestMetrics = { provider: name, model, outcome: 'aborted', attempts: 0, durationMs: 0 };
    try {
      if (signal.aborted) return;
      // The SDK's own timeout is only a backstop behind the attempt's deadline.
      client ??= createChatClient(o.vendor, { apiKey: o.apiKey, baseUrl: o.baseUrl ?? DEFAULT_BASE_URLS[o.vendor], timeoutMs: o.timeoutMs + 1000 });
      const request = buildWireRequest(history, so.tools, { model, temperature: o.temperature, maxTokens: o.maxTokens });
      for (;;) {
        m.attempts++;
        const attempt = new Attempt(signal, o.timeoutMs, o.idleTimeoutMs);
        try {
          log?.debug({ attempt: m.attempts, messages: history.length }, 'llm request');
          const chunks = await client.open(request, attempt.signal);
          attempt.streaming();
          const tools = new ToolCallAssembler();
          let finishReason: string | undefined;
          for await (const chunk of chunks) {
            attempt.touch();
            m.usage = usageOf(chunk) ?? m.usage;
            const choice = chunk.choices[0];
            if (!choice) continue;
            tools.push(choice.delta?.tool_calls);
            finishReason = choice.finish_reason ?? finishReason;
            const text = choice.delta?.content;
            if (text) {
              m.timeToFirstDeltaMs ??= performance.now() - started;
              yield { type: 'text', text };
            }
          }
          // The SDKs end the loop quietly on abort (seen with openai 6 and groq-sdk 1): read the reason from the flags.
          if (signal.aborted) return;
          if (attempt.timedOut) throw timeoutError(name, attempt, undefined);
          if (finishReason === undefined) {
            throw new LlmError('LLM_CONNECTION_LOST', `${name}: stream ended without a finish_reason`, { provider: name, retryable: true });
          }
          for (const call of tools.take()) {
            m.timeToFirstDeltaMs ??= performance.now() - started;
            yield { type: 'tool_call', call };
          }
          m.outcome = 'completed';
          yield { type: 'done', finishReason, ...(m.usage ? { usage: m.usage } : {}) };
          return;
        } catch (err) {
          if (signal.aborted) return; // an abort is not an error
          const e = err instanceof LlmError ? err : attempt.timedOut ? timeoutError(name, attempt, err) : toLlmError(client.describe(err), name, o.apiKey, err);
          const canRetry = m.timeToFirstDeltaMs === undefined && e.retryable && m.attempts <= o.maxRetries;
          const delay = canRetry ? retryDelayMs(m.attempts - 1, e.retryAfterMs, { baseDelayMs: o.retryBaseDelayMs, maxDelayMs: o.maxRetryDelayMs }) : undefined;
          if (delay === undefined) {
            m.outcome = 'failed';
            m.errorCode = e.code;
            log?.debug({ code: e.code, status: e.status, attempt: m.attempts }, 'llm request failed');
            throw e;
          }
          log?.warn({ code: e.code, status: e.status, attempt: m.attempts, delayMs: Math.round(delay) }, 'llm request retry');
          await abortableSleep(delay, signal);
          if (signal.aborted) return;
        } finally {
          attempt.dispose();
        }
      }
    } finally {
      m.durationMs = performance.now() - started;
      o.onMetrics?.(m);
    }
  }

  return { name, stream };
}

function timeoutError(name: string, attempt: Attempt, cause: unknown): LlmError {
  const what = attempt.timedOut === 'headers' ? 'no response headers' : 'no stream data';
  return new LlmError('LLM_TIMEOUT', `${name}: ${what} for ${attempt.limitMs()} ms`, { provider: name, retryable: true, cause });
}

function stripUndefined<T extends object>(v: T): T {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as T;
}

/** `createOpenAiCompatibleLlm` with `vendor: 'openai'` (default model `gpt-4o-mini`). */
export function createOpenAiLlm(options: Omit<OpenAiCompatibleLlmOptions, 'vendor'>): LlmProvider {
  return createOpenAiCompatibleLlm({ ...options, vendor: 'openai' });
}

/** `createOpenAiCompatibleLlm` with `vendor: 'groq'` (default model `llama-3.1-8b-instant`). */
export function createGroqLlm(options: Omit<OpenAiCompatibleLlmOptions, 'vendor'>): LlmProvider {
  return createOpenAiCompatibleLlm({ ...options, vendor: 'groq' });
}
