import { LlmError } from '../llm-error';
import { COFFEE_SHOP_SCRIPT } from './coffee-shop-script';
import type { DialogScript } from './script-types';
import { createScriptedLlm } from './scripted-llm';
import { checkScript, parseDialogScript } from './validate-script';

const MINI: DialogScript = {
  name: 'mini',
  start: 'ask',
  states: {
    ask: { prompt: 'Yes or no?', expect: [{ id: 'yes', keywords: ['@yes'], goto: 'end' }] },
    end: { prompt: 'Bye.', final: true },
  },
};

function badScriptError(script: unknown): LlmError {
  try {
    createScriptedLlm({ script: script as DialogScript });
  } catch (e) {
    expect(e).toBeInstanceOf(LlmError);
    expect(e).toMatchObject({ code: 'LLM_BAD_SCRIPT', retryable: false, provider: 'scripted' });
    return e as LlmError;
  }
  throw new Error('expected LLM_BAD_SCRIPT');
}

const withState = (id: string, state: unknown): unknown => ({ ...MINI, states: { ...MINI.states, [id]: state } });

describe('script validation (LLM_BAD_SCRIPT at creation)', () => {
  it('accepts the built-in script and a minimal one', () => {
    expect(checkScript(COFFEE_SHOP_SCRIPT)).toEqual([]);
    expect(checkScript(MINI)).toEqual([]);
    expect(createScriptedLlm({ script: MINI }).name).toBe('scripted');
  });

  it.each([
    ['a start that is no state', { ...MINI, start: 'nowhere' }, 'start: must name a state'],
    ['a goto to no state', withState('ask', { prompt: 'x', expect: [{ id: 'a', keywords: ['yes'], goto: 'gone' }] }), 'states.ask.expect[0].goto: "gone" is not a state'],
    ['an unknown template variable', withState('ask', { prompt: 'Hi {nobody}', expect: [{ id: 'a', keywords: ['yes'], goto: 'end' }] }), 'states.ask.prompt: unknown variable {nobody}'],
    ['digits in an example', withState('ask', { prompt: 'x', expect: [{ id: 'a', examples: ['2 lattes'], goto: 'end' }] }), 'must be lower-case words, numbers spelled out'],
    ['an example slot the intent lacks', withState('ask', { prompt: 'x', expect: [{ id: 'a', examples: ['for {n}'], goto: 'end' }] }), 'uses {n}, which is not a slot'],
    ['an items slot without a catalogue', withState('ask', { prompt: 'x', expect: [{ id: 'a', examples: ['{i}'], slots: { i: { type: 'items' } }, goto: 'end' }] }), 'a items slot needs a catalogue'],
    ['an intent that neither says nor moves', withState('ask', { prompt: 'x', expect: [{ id: 'a', keywords: ['yes'] }] }), 'states.ask.expect[0]: needs say or goto'],
    ['an intent with nothing to match', withState('ask', { prompt: 'x', expect: [{ id: 'a', goto: 'end' }] }), 'needs examples or keywords'],
    ['duplicate intent ids', withState('ask', { prompt: 'x', expect: [{ id: 'a', keywords: ['yes'], goto: 'end' }, { id: 'a', keywords: ['no'], goto: 'end' }] }), 'duplicate intent id "a"'],
    ['a prompt that contains {prompt}', withState('ask', { prompt: 'Again: {prompt}', expect: [{ id: 'a', keywords: ['yes'], goto: 'end' }] }), 'a prompt cannot contain {prompt}'],
    ['a state with nothing to expect', withState('ask', { prompt: 'x' }), 'a state that is not final must expect something'],
    ['a bad DTMF key', withState('ask', { prompt: 'x', dtmf: { '1x': 'yes' }, expect: [{ id: 'a', keywords: ['yes'], goto: 'end' }] }), 'keys must be 0-9 * # A-D'],
    ['an unknown condition', withState('ask', { prompt: 'x', expect: [{ id: 'a', keywords: ['yes'], when: 'sunny', goto: 'end' }] }), 'states.ask.expect[0].when: must be one of'],
    ['a set of a built-in variable', withState('ask', { prompt: 'x', expect: [{ id: 'a', keywords: ['yes'], do: [{ do: 'set', var: 'total', value: '0' }], goto: 'end' }] }), 'clashes with a built-in variable'],
    ['two items sharing a name', { ...MINI, catalogue: [{ id: 'a', name: 'tea', priceCents: 1 }, { id: 'b', name: 'green tea', aliases: ['tea'], priceCents: 2 }] }, '"tea" also names item "a"'],
    ['a price that is not whole cents', { ...MINI, catalogue: [{ id: 'a', name: 'tea', priceCents: 2.5 }] }, 'catalogue[0].priceCents: must be a whole number of cents'],
    ['redirects in a cycle', {
      ...MINI,
      states: {
        ...MINI.states,
        ask: { ...MINI.states['ask'], redirect: { when: 'orderEmpty', goto: 'other' } },
        other: { prompt: 'o', expect: [{ id: 'a', keywords: ['yes'], goto: 'end' }], redirect: { when: 'orderEmpty', goto: 'ask' } },
      },
    }, 'redirects form a cycle'],
    ['not an object', 42, 'script: must be an object'],
  ])('rejects %s', (_, script, problem) => {
    expect(badScriptError(script).message).toContain(problem);
  });

  it('lists every problem in one error', () => {
    const e = badScriptError({ name: '', start: 'x', states: { a: { prompt: '' } } });
    expect(e.message).toContain('name: must be a non-empty string');
    expect(e.message).toContain('start: must name a state');
    expect(e.message).toContain('states.a.prompt: must be a non-empty string');
  });

  it('rejects a keypad mapping that reaches no intent of its state', () => {
    const script = withState('ask', { prompt: 'x', dtmf: { '1': 'maybe' }, expect: [{ id: 'a', keywords: ['@yes'], goto: 'end' }] });
    expect(badScriptError(script).message).toContain('states.ask.dtmf.1: "maybe" matches no intent of the state');
  });

  it('rejects a state whose slots expand to too many expected phrases', () => {
    // Quantities 1-20 in the grammar: six `{items}` examples × 8 items × 22 forms in the confirm state.
    const script = { ...COFFEE_SHOP_SCRIPT, phraseMaxQuantity: 20 };
    expect(badScriptError(script).message).toMatch(/states\.confirm: expands to 10\d\d expected phrases \(max 1000\)/);
  });

  it('rejects variables that are not strings with LLM_INVALID_OPTIONS', () => {
    expect(() => createScriptedLlm({ variables: { agentName: 7 as unknown as string } })).toThrow(
      expect.objectContaining({ code: 'LLM_INVALID_OPTIONS' }),
    );
  });
});

describe('loading a script from JSON', () => {
  it('round-trips the built-in script and runs it the same way', () => {
    const parsed = parseDialogScript(JSON.stringify(COFFEE_SHOP_SCRIPT));
    expect(parsed).toEqual(COFFEE_SHOP_SCRIPT);
    const history = [
      { role: 'user' as const, content: 'three teas and a cookie' },
      { role: 'user' as const, content: "that's it" },
    ];
    const fromJson = createScriptedLlm({ script: parsed }).dialogState(history);
    const fromTs = createScriptedLlm().dialogState(history);
    expect(fromJson.reply).toBe(fromTs.reply);
    expect(fromJson.reply).toBe('So that is three teas and one cookie, for a total of nine dollars and twenty five cents. Is that right?');
  });

  it('turns malformed JSON into LLM_BAD_SCRIPT with the parse error as cause', () => {
    let caught: unknown;
    try {
      parseDialogScript('{"name": ');
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'LLM_BAD_SCRIPT', retryable: false });
    expect((caught as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('returns a copy: changing the input later does not change the provider', () => {
    const script = structuredClone(MINI) as { states: Record<string, { prompt: string }> };
    const llm = createScriptedLlm({ script: script as unknown as DialogScript });
    (script.states['ask'] as { prompt: string }).prompt = 'Changed?';
    expect(llm.dialogState([]).reply).toBe('Yes or no?');
  });
});
