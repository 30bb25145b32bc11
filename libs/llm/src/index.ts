export type { ChatMessage, ToolCall, LlmTool, LlmDelta, LlmUsage, LlmProvider, LlmStreamOptions, LlmRequestMetrics } from './types';
export { LlmError, classifyHttpStatus } from './llm-error';
export type { LlmErrorCode } from './llm-error';
export { createOpenAiCompatibleLlm, createOpenAiLlm, createGroqLlm } from './openai-compatible';
export type { OpenAiCompatibleLlmOptions } from './openai-compatible';
export type { LlmVendor } from './vendor-client';
export { LLM_DEFAULTS } from './defaults';
export { ConversationHistory, estimateTokens } from './conversation-history';
export type { ConversationHistoryOptions } from './conversation-history';
export { SentenceChunker, chunkSentences } from './sentence-chunker';
export type { SentenceChunkerOptions } from './sentence-chunker';
export { parseRetryAfterMs } from './retry';
export { createScriptedLlm } from './scripted/scripted-llm';
export type { ScriptedLlm, ScriptedLlmOptions } from './scripted/scripted-llm';
export { COFFEE_SHOP_SCRIPT } from './scripted/coffee-shop-script';
export { parseDialogScript } from './scripted/validate-script';
export { parseDtmfText, dtmfText } from './scripted/dtmf';
export { spokenMoney, numberToWords, normalizeText } from './scripted/words';
export type { DialogSnapshot, DialogStep, DialogOrderLine } from './scripted/dialog-engine';
export type {
  DialogScript, CatalogueItem, StateSpec, IntentSpec, Branch, SlotSpec, SlotType, Condition, Action,
} from './scripted/script-types';
