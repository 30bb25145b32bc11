import { describeLocalLlmContract } from '../testing';
import { COFFEE_SHOP_SCRIPT } from './coffee-shop-script';
import { createScriptedLlm } from './scripted-llm';

describeLocalLlmContract('scripted (coffee shop)', async () => ({
  provider: createScriptedLlm({ variables: { agentName: 'Ava', companyName: 'Bean There' } }),
  history: [
    { role: 'system', content: 'You are a phone agent.' },
    { role: 'user', content: 'Hello?' },
  ],
  // "Hello?" matches nothing in the first state: the first re-prompt, which lists the menu.
  expectedText: 'Sorry, I did not catch that. We have lattes, cappuccinos, espressos, mochas, teas, muffins, bagels and cookies. What would you like?',
  createInvalid: () => createScriptedLlm({ script: { ...COFFEE_SHOP_SCRIPT, start: 'nowhere' } }),
  invalidCode: 'LLM_BAD_SCRIPT',
  teardown: async () => undefined,
}));
