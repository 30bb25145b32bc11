/** One message of a chat history, in the shape every `LlmProvider` takes. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** On an assistant message: the tool calls the model made in that turn. */
  toolCalls?: ToolCall[];
  /** On a tool message: the id of the call it answers. */
  toolCallId?: string;
}

/** A complete tool call: `arguments` is the JSON text the model produced (not parsed, may be invalid). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A function the model may call; `parameters` is a JSON Schema object. */
export interface LlmTool {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export type LlmDelta =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'done'; finishReason: string; usage?: LlmUsage };

export interface LlmStreamOptions {
  /** Aborting ends the iterator quietly and aborts the HTTP request. */
  signal: AbortSignal;
  tools?: readonly LlmTool[];
}

/** A streaming chat model. `stream` yields text deltas as they arrive, tool calls once complete, then `done`. */
export interface LlmProvider {
  readonly name: string;
  stream(history: readonly ChatMessage[], o: LlmStreamOptions): AsyncIterable<LlmDelta>;
}

/** What one `stream()` call cost; handed to the injected `onMetrics` sink when the stream ends. */
export interface LlmRequestMetrics {
  provider: string;
  model: string;
  /** `completed`, `aborted` (by the caller's signal or an early `break`) or `failed`. */
  outcome: 'completed' | 'aborted' | 'failed';
  /** HTTP requests made (1 + retries). */
  attempts: number;
  /** From the call to the first text or tool-call delta. */
  timeToFirstDeltaMs?: number;
  durationMs: number;
  errorCode?: string;
  usage?: LlmUsage;
}
