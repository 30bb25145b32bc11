import type { ChatMessage, LlmTool } from './types';
import type { WireMessage, WireRequest, WireTool } from './vendor-client';

/** Our `ChatMessage` → the Chat Completions wire message (OpenAI API reference, "messages"). */
export function toWireMessage(m: ChatMessage): WireMessage {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'tool':
      return { role: 'tool', content: m.content, tool_call_id: m.toolCallId ?? '' };
    case 'assistant':
      if (!m.toolCalls?.length) return { role: 'assistant', content: m.content };
      return {
        role: 'assistant',
        // The API wants null rather than "" when an assistant message only calls tools.
        content: m.content === '' ? null : m.content,
        tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
      };
  }
}

export function toWireTool(t: LlmTool): WireTool {
  const fn: WireTool['function'] = { name: t.name, parameters: t.parameters };
  if (t.description !== undefined) fn.description = t.description;
  return { type: 'function', function: fn };
}

export interface RequestSettings {
  model: string;
  temperature?: number;
  maxTokens?: number;
}

export function buildWireRequest(history: readonly ChatMessage[], tools: readonly LlmTool[] | undefined, s: RequestSettings): WireRequest {
  const request: WireRequest = { model: s.model, messages: history.map(toWireMessage) };
  if (tools?.length) request.tools = tools.map(toWireTool);
  if (s.temperature !== undefined) request.temperature = s.temperature;
  // `max_tokens` is deprecated in favour of `max_completion_tokens` by both OpenAI and Groq.
  if (s.maxTokens !== undefined) request.max_completion_tokens = s.maxTokens;
  return request;
}
