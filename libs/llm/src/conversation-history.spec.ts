import { ConversationHistory, estimateTokens } from './conversation-history';
import type { ChatMessage } from './types';

const roles = (ms: readonly ChatMessage[]): string[] => ms.map((m) => `${m.role}:${m.content}`);

describe('ConversationHistory', () => {
  it('keeps the system prompt first and messages in order', () => {
    const h = new ConversationHistory({ systemPrompt: 'Be brief.' });
    h.addUser('hi');
    h.addAssistant('Hello!');
    h.addUser('bye');
    expect(roles(h.messages())).toEqual(['system:Be brief.', 'user:hi', 'assistant:Hello!', 'user:bye']);
  });

  it('drops the oldest turns beyond maxTurns, never the system prompt', () => {
    const h = new ConversationHistory({ systemPrompt: 'S', maxTurns: 2 });
    for (const n of [1, 2, 3]) {
      h.addUser(`u${n}`);
      h.addAssistant(`a${n}`);
    }
    expect(roles(h.messages())).toEqual(['system:S', 'user:u2', 'assistant:a2', 'user:u3', 'assistant:a3']);
  });

  it('trims to an approximate token budget, keeping the newest turn even when it alone is over', () => {
    const h = new ConversationHistory({ systemPrompt: 'S', maxTokens: 40 });
    h.addUser('a'.repeat(40)); // 4 + 10 tokens
    h.addAssistant('b'.repeat(40)); // 14
    h.addUser('c'.repeat(40)); // 14: system 5 + 42 > 40, so turn 1 goes
    expect(roles(h.messages()).map((r) => r.slice(0, 6))).toEqual(['system', 'user:c']);
    expect(h.tokens()).toBe(estimateTokens({ role: 'system', content: 'S' }) + 14);
    h.addAssistant('d'.repeat(400));
    expect(roles(h.messages()).map((r) => r.slice(0, 11))).toEqual(['system:S', 'user:cccccc', 'assistant:d']);
  });

  it('never orphans tool results: a tool-call message and its results leave together', () => {
    const h = new ConversationHistory({ maxTurns: 1 });
    h.addUser('where is my order?');
    h.addAssistant('', [{ id: 'c1', name: 'lookup', arguments: '{}' }]);
    h.addToolResult('c1', '{"status":"shipped"}');
    h.addAssistant('It shipped.');
    expect(h.messages()).toHaveLength(4);
    h.addUser('thanks');
    const ms = h.messages();
    expect(roles(ms)).toEqual(['user:thanks']);
    for (const [i, m] of ms.entries()) {
      if (m.role === 'tool') expect(ms.slice(0, i).some((p) => p.toolCalls?.some((c) => c.id === m.toolCallId))).toBe(true);
    }
  });

  it('replaceLastAssistant keeps only what was played', () => {
    const h = new ConversationHistory();
    h.addUser('tell me a story');
    h.addAssistant('Once upon a time there was a fox. It was clever.');
    expect(h.replaceLastAssistant('Once upon a time there was a fox.')).toBe(true);
    h.addUser('stop');
    expect(roles(h.messages())).toEqual(['user:tell me a story', 'assistant:Once upon a time there was a fox.', 'user:stop']);
  });

  it('replaceLastAssistant with nothing played removes the message', () => {
    const h = new ConversationHistory({ systemPrompt: 'S' });
    h.addUser('hi');
    h.addAssistant('Hello there!');
    expect(h.replaceLastAssistant('  ')).toBe(true);
    expect(roles(h.messages())).toEqual(['system:S', 'user:hi']);
    expect(h.replaceLastAssistant('x')).toBe(false);
  });

  it('replaceLastAssistant clears the text but keeps a tool-call message so results stay paired', () => {
    const h = new ConversationHistory();
    h.addUser('q');
    h.addAssistant('Let me check.', [{ id: 'c1', name: 'lookup', arguments: '{}' }]);
    h.addToolResult('c1', 'ok');
    h.replaceLastAssistant('');
    expect(h.messages()[1]).toEqual({ role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{}' }] });
    expect(h.messages()).toHaveLength(3);
  });

  it('a greeting before the first user message is its own turn', () => {
    const h = new ConversationHistory({ maxTurns: 1 });
    h.addAssistant('Thanks for calling!');
    h.addUser('hi');
    expect(roles(h.messages())).toEqual(['assistant:Thanks for calling!', 'user:hi']);
    h.addAssistant('Hello.');
    h.addUser('bye');
    expect(roles(h.messages())).toEqual(['user:bye']);
  });

  it('hands out copies that cannot change the history', () => {
    const h = new ConversationHistory();
    h.addUser('hi');
    const ms = h.messages() as ChatMessage[];
    ms.push({ role: 'user', content: 'injected' });
    expect(() => {
      (ms[0] as ChatMessage).content = 'changed';
    }).toThrow(TypeError);
    expect(roles(h.messages())).toEqual(['user:hi']);
  });
});
