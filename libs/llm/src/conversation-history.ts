import type { ChatMessage, ToolCall } from './types';

export interface ConversationHistoryOptions {
  systemPrompt?: string;
  /** Most user turns kept (a turn = a user message and everything after it up to the next one). Default 20. */
  maxTurns?: number;
  /** Approximate token budget for the whole history, system prompt included. Default 3000. */
  maxTokens?: number;
  /** Token estimate of one message; default ≈ 4 characters per token + 4 tokens of per-message overhead. */
  estimateTokens?: (m: ChatMessage) => number;
}

/**
 * ~4 characters per token for English is OpenAI's rule of thumb (help.openai.com, "What are tokens and how to count
 * them?"); each message adds a few tokens of role framing.
 */
export function estimateTokens(m: ChatMessage): number {
  const calls = m.toolCalls?.reduce((n, c) => n + c.name.length + c.arguments.length, 0) ?? 0;
  return 4 + Math.ceil((m.content.length + calls) / 4);
}

function freeze(m: ChatMessage): ChatMessage {
  const copy: ChatMessage = { role: m.role, content: m.content };
  if (m.toolCalls) copy.toolCalls = m.toolCalls.map((c) => Object.freeze({ ...c }));
  if (m.toolCallId !== undefined) copy.toolCallId = m.toolCallId;
  return Object.freeze(copy);
}

/**
 * A call's chat history with caps. Trimming drops whole turns from the oldest end, so an assistant tool-call message
 * and its tool results always leave together (an orphaned `tool` message is a 400 from the API). The system prompt
 * and the newest turn are always kept, even when they alone exceed the token budget.
 */
export class ConversationHistory {
  private system: ChatMessage | undefined;
  private turns: ChatMessage[][] = [];
  private readonly maxTurns: number;
  private readonly maxTokens: number;
  private readonly estimate: (m: ChatMessage) => number;

  constructor(o: ConversationHistoryOptions = {}) {
    this.maxTurns = o.maxTurns ?? 20;
    this.maxTokens = o.maxTokens ?? 3000;
    this.estimate = o.estimateTokens ?? estimateTokens;
    if (o.systemPrompt !== undefined) this.setSystemPrompt(o.systemPrompt);
  }

  setSystemPrompt(text: string): void {
    this.system = text === '' ? undefined : freeze({ role: 'system', content: text });
    this.trim();
  }

  addUser(text: string): void {
    this.turns.push([freeze({ role: 'user', content: text })]);
    this.trim();
  }

  /** Adds the agent's reply; with `toolCalls` it is the message that asked for tools (content may be ''). */
  addAssistant(text: string, toolCalls?: readonly ToolCall[]): void {
    this.append(freeze({ role: 'assistant', content: text, ...(toolCalls?.length ? { toolCalls: [...toolCalls] } : {}) }));
  }

  addToolResult(toolCallId: string, content: string): void {
    this.append(freeze({ role: 'tool', content, toolCallId }));
  }

  /**
   * After a barge-in, keeps only what the caller heard of the last assistant reply. An empty `playedText` removes the
   * message, unless it carries tool calls (their results would be orphaned): then only its text is cleared.
   * Returns false when there is no assistant message to replace.
   */
  replaceLastAssistant(playedText: string): boolean {
    for (let t = this.turns.length - 1; t >= 0; t--) {
      const turn = this.turns[t] as ChatMessage[];
      for (let i = turn.length - 1; i >= 0; i--) {
        const m = turn[i] as ChatMessage;
        if (m.role !== 'assistant') continue;
        const played = playedText.trim();
        if (played === '' && !m.toolCalls?.length) turn.splice(i, 1);
        else turn[i] = freeze({ ...m, content: played });
        if (turn.length === 0) this.turns.splice(t, 1);
        return true;
      }
    }
    return false;
  }

  /** The history to send: system prompt first, then the kept turns in order. A fresh array each call. */
  messages(): readonly ChatMessage[] {
    const out: ChatMessage[] = this.system ? [this.system] : [];
    for (const turn of this.turns) out.push(...turn);
    return out;
  }

  /** Estimated tokens of `messages()`. */
  tokens(): number {
    return this.messages().reduce((n, m) => n + this.estimate(m), 0);
  }

  clear(): void {
    this.turns = [];
  }

  private append(m: ChatMessage): void {
    // Messages before the first user message (a greeting) form a turn of their own.
    const last = this.turns.at(-1);
    if (last) last.push(m);
    else this.turns.push([m]);
    this.trim();
  }

  private trim(): void {
    const userTurns = (): number => this.turns.filter((t) => t[0]?.role === 'user').length;
    while (this.turns.length > 1 && (userTurns() > this.maxTurns || this.tokens() > this.maxTokens)) {
      this.turns.shift();
    }
  }
}
