import type { DialogScript, IntentSpec } from './script-types';

/*
 * The default script: phone ordering at a coffee shop, then checkout (an ordering/checkout flow that has to stay
 * reliable). Everything it says is plain words (numbers and money spelled out) so the local flite voice reads
 * it as written; everything it expects is lower-case cmudict words so the pocketsphinx grammar can be built from it
 * (default-script.dictionary.spec.ts checks that against the installed dictionary).
 */

// First names for the checkout grammar: common, short, all in cmudict. Other names still match through the
// language-model fallback of the STT and the "my name is ..." extractor.
const NAMES = ['alex', 'anna', 'ben', 'chris', 'daniel', 'david', 'emma', 'james', 'john', 'jordan', 'kevin', 'laura',
  'liam', 'lisa', 'lucas', 'maria', 'michael', 'mia', 'morgan', 'nina', 'noah', 'olivia', 'omar', 'sam', 'sarah',
  'sophia', 'taylor'];

const ITEMS_SLOT = { items: { type: 'items' } } as const;

// Each `{items}` example stands for 8 items × 12 quantity forms = 96 grammar phrases: few, common carriers only.
const addItems = (examples: readonly string[], say: string, goto: string): IntentSpec => ({
  id: 'add_items',
  examples,
  slots: ITEMS_SLOT,
  do: [{ do: 'addItems', slot: 'items' }],
  say,
  goto,
});
const ORDER_EXAMPLES = ['{items}', 'i would like {items}', 'can i get {items}'];
const ADD_EXAMPLES = ['{items}', 'add {items}'];

const removeItems = (goto: string): IntentSpec => ({
  id: 'remove_items',
  examples: ['remove {items}', 'take off {items}'],
  slots: ITEMS_SLOT,
  when: 'itemsInOrder',
  do: [{ do: 'removeItems', slot: 'items' }],
  say: 'Okay, I took off {removed}.',
  goto,
  otherwise: { say: 'Sorry, that is not in your order. You have {order}.', goto },
});

const changeItems: IntentSpec = {
  id: 'change_items',
  examples: ['no {items}', 'make that {items}'],
  slots: ITEMS_SLOT,
  do: [{ do: 'setItems', slot: 'items' }],
  say: 'Okay, {added} then.',
  goto: 'confirm',
};

// Keypad ordering: one key per menu item (the order state's fallback reads this list out).
const ITEM_KEYS = { '1': 'a latte', '2': 'a cappuccino', '3': 'an espresso', '4': 'a mocha', '5': 'a tea', '6': 'a muffin',
  '7': 'a bagel', '8': 'a cookie' } as const;

export const COFFEE_SHOP_SCRIPT: DialogScript = {
  name: 'coffee-shop-order',
  start: 'order',
  greeting: 'Hi, thanks for calling {companyName}. This is {agentName}.',
  variables: { agentName: 'Ava', companyName: 'Voice Presence Coffee' },
  catalogue: [
    // cmudict knows `latte` and `cappuccino` but not their plurals: the grammar says "two latte".
    { id: 'latte', name: 'latte', plural: 'lattes', phrasePlural: 'latte', priceCents: 450 },
    { id: 'cappuccino', name: 'cappuccino', plural: 'cappuccinos', phrasePlural: 'cappuccino', priceCents: 425 },
    { id: 'espresso', name: 'espresso', plural: 'espressos', priceCents: 300 },
    { id: 'mocha', name: 'mocha', plural: 'mochas', priceCents: 475 },
    { id: 'tea', name: 'tea', plural: 'teas', priceCents: 250 },
    { id: 'muffin', name: 'muffin', priceCents: 325 },
    { id: 'bagel', name: 'bagel', priceCents: 275 },
    { id: 'cookie', name: 'cookie', priceCents: 175 },
  ],
  // Quantities up to ten in the grammar keeps each state under ~500 phrases; eleven to twenty still match in text.
  phraseMaxQuantity: 10,
  maxReprompts: 2,
  globalIntents: [
    { id: 'repeat', examples: ['repeat that', 'say that again', 'can you repeat that', 'what did you say', 'pardon'], say: '{prompt}' },
    { id: 'menu', examples: ['what do you have', 'what is on the menu', 'the menu please'], keywords: ['menu'], say: 'We have {priceList}. {prompt}' },
    {
      id: 'start_over',
      examples: ['start over', 'start again', 'cancel my order', 'cancel the order'],
      do: [{ do: 'clearOrder' }],
      say: 'Okay, starting over.',
      goto: 'order',
    },
  ],
  states: {
    order: {
      prompt: 'What can I get for you today?',
      expect: [
        addItems(ORDER_EXAMPLES, '{added}, got it.', 'more'),
        { id: 'nothing', examples: ['nothing', 'nothing thanks', 'that is all', 'i am done', 'never mind'], keywords: ['@no'], goto: 'closed' },
      ],
      reprompt: [
        'Sorry, I did not catch that. We have {menu}. What would you like?',
        'Sorry, I still did not get that. You can say, for example, two lattes and a muffin.',
      ],
      fallback: {
        say: 'Sorry, I am having trouble understanding you. You can also use your keypad. Press one for a latte, two for a cappuccino, three for an espresso, four for a mocha, five for a tea, six for a muffin, seven for a bagel, or eight for a cookie.',
      },
      dtmf: ITEM_KEYS,
    },
    more: {
      prompt: 'Anything else?',
      expect: [
        addItems(ORDER_EXAMPLES, '{added}, got it.', 'more'),
        {
          id: 'done',
          examples: ['no thanks', 'no thank you', 'that is all', 'that is it', 'nothing else', 'i am done', 'that will be all'],
          keywords: ['@no'],
          goto: 'confirm',
        },
        removeItems('more'),
        { id: 'yes', keywords: ['@yes'], say: 'Sure, what else would you like?' },
      ],
      reprompt: ['Sorry, I did not catch that. Would you like anything else? You can say no, that is all.'],
      fallback: { say: 'Let me read back your order.', goto: 'confirm' },
      dtmf: { ...ITEM_KEYS, '9': 'that is all' },
    },
    confirm: {
      redirect: { when: 'orderEmpty', say: 'Your order is empty right now.', goto: 'order' },
      prompt: 'So that is {order}, for a total of {total}. Is that right?',
      expect: [
        changeItems,
        addItems(ADD_EXAMPLES, 'Okay, I added {added}.', 'confirm'),
        removeItems('confirm'),
        { id: 'yes', examples: ['yes that is right', 'yes please'], keywords: ['@yes'], say: 'Great.', goto: 'name' },
        { id: 'no', examples: ['that is not right', 'no that is wrong'], keywords: ['@no'], goto: 'fix' },
      ],
      reprompt: ['Sorry, I did not catch that. Is your order right? Say yes or no, or press one for yes and two for no.'],
      fallback: { say: 'Let us try that again.', goto: 'fix' },
      dtmf: { '1': 'yes', '2': 'no' },
    },
    fix: {
      prompt: 'What would you like to change? You can add or remove an item, or start over.',
      expect: [
        changeItems,
        addItems(ADD_EXAMPLES, 'Okay, I added {added}.', 'confirm'),
        removeItems('confirm'),
        { id: 'keep', examples: ['nothing', 'it is fine', 'it is right', 'never mind', 'that is all'], keywords: ['@yes'], goto: 'confirm' },
      ],
      reprompt: ['Sorry, I did not catch that. You can say, for example, remove the muffin, or add a latte.'],
    },
    name: {
      prompt: 'What name should I put the order under?',
      expect: [
        {
          id: 'give_name',
          examples: ['{name}', 'my name is {name}', 'it is {name}', 'this is {name}', 'put it under {name}'],
          slots: { name: { type: 'name', examples: NAMES } },
          do: [{ do: 'set', var: 'customerName', slot: 'name' }],
          goto: 'name_confirm',
        },
      ],
      reprompt: ['Sorry, I did not catch your name. What name should I put the order under?'],
      fallback: { do: [{ do: 'set', var: 'customerName', value: 'guest' }], say: 'No problem, I will put it under guest.', goto: 'done' },
    },
    name_confirm: {
      prompt: 'I have the name {customerName}. Is that right?',
      expect: [
        {
          id: 'correct_name',
          examples: ['no it is {name}', 'no my name is {name}', 'no {name}'],
          slots: { name: { type: 'name', examples: NAMES } },
          do: [{ do: 'set', var: 'customerName', slot: 'name' }],
          goto: 'name_confirm',
        },
        { id: 'yes', examples: ['yes that is right'], keywords: ['@yes'], goto: 'done' },
        { id: 'no', examples: ['that is not right', 'no that is wrong'], keywords: ['@no'], say: 'Sorry about that.', goto: 'name' },
      ],
      reprompt: ['Sorry, I did not catch that. Is the name {customerName} right? Say yes or no, or press one for yes and two for no.'],
      fallback: { say: 'I will keep the name {customerName}.', goto: 'done' },
      dtmf: { '1': 'yes', '2': 'no' },
    },
    done: {
      prompt: 'Thank you, {customerName}. Your order will be ready for pickup in about ten minutes, and your total is {total}. Goodbye!',
      reprompt: 'Your order is in, {customerName}. Thanks for calling {companyName}. Goodbye!',
      final: true,
    },
    closed: {
      prompt: 'Okay, no problem. Thanks for calling {companyName}. Goodbye!',
      reprompt: 'Thanks for calling {companyName}. Goodbye!',
      final: true,
    },
  },
};
