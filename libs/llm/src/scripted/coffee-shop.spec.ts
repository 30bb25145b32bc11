import pino from 'pino';
import { Writable } from 'node:stream';
import { ConversationHistory } from '../conversation-history';
import type { LlmDelta } from '../types';
import { createScriptedLlm, type ScriptedLlm } from './scripted-llm';

// Menu prices as the test knows them (cents), independent of the script object.
const PRICE = { latte: 450, cappuccino: 425, espresso: 300, mocha: 475, tea: 250, muffin: 325, bagel: 275, cookie: 175 };

async function reply(llm: ScriptedLlm, history: ConversationHistory): Promise<{ text: string; deltas: LlmDelta[] }> {
  const deltas: LlmDelta[] = [];
  for await (const d of llm.stream(history.messages(), { signal: new AbortController().signal })) deltas.push(d);
  return { text: deltas.map((d) => (d.type === 'text' ? d.text : '')).join(''), deltas };
}

/** One caller turn the way the gateway runs it: user message in, streamed reply out, reply into the history. */
async function turn(llm: ScriptedLlm, history: ConversationHistory, said: string): Promise<string> {
  history.addUser(said);
  const { text, deltas } = await reply(llm, history);
  expect(deltas.at(-1)).toEqual({ type: 'done', finishReason: 'stop' });
  history.addAssistant(text);
  return text;
}

function newCall(): { llm: ScriptedLlm; history: ConversationHistory } {
  const llm = createScriptedLlm({ variables: { agentName: 'Ava', companyName: 'Bean There' } });
  // The whole call must stay in the history: the dialog state is replayed from the user messages.
  const history = new ConversationHistory({ systemPrompt: 'You are Ava.', maxTurns: 200, maxTokens: 100_000 });
  return { llm, history };
}

describe('scripted LLM: the coffee shop ordering/checkout script, walked through stream()', () => {
  it('takes an order from greeting to goodbye, with a re-prompt, DTMF, a correction and a barge-in', async () => {
    const { llm, history } = newCall();

    const opening = await reply(llm, history);
    expect(opening.text).toBe('Hi, thanks for calling Bean There. This is Ava. What can I get for you today?');
    expect(opening.deltas.filter((d) => d.type === 'text').length).toBe(opening.text.split(' ').length); // one delta per word
    history.addAssistant(opening.text);
    expect(llm.dialogState(history.messages()).state).toBe('order');

    // No match: the first re-prompt lists the menu.
    expect(await turn(llm, history, 'Uh, hmm.')).toBe(
      'Sorry, I did not catch that. We have lattes, cappuccinos, espressos, mochas, teas, muffins, bagels and cookies. What would you like?',
    );
    expect(llm.dialogState(history.messages())).toMatchObject({ state: 'order', reprompts: 1, lastIntent: undefined });

    // Numbers as words, two items in one breath.
    expect(await turn(llm, history, "I'd like two lattes and a blueberry muffin, please.")).toBe('Two lattes and one muffin, got it. Anything else?');
    let s = llm.dialogState(history.messages());
    expect(s).toMatchObject({ state: 'more', reprompts: 0, lastIntent: 'add_items' });
    expect(s.order.map((l) => [l.itemId, l.quantity])).toEqual([['latte', 2], ['muffin', 1]]);

    // Digits, and a "yes" that carries an item.
    expect(await turn(llm, history, 'Yes, and 3 bagels.')).toBe('Three bagels, got it. Anything else?');
    // Keypad: 8 is a cookie in this state.
    expect(await turn(llm, history, 'DTMF: 8')).toBe('One cookie, got it. Anything else?');
    expect(await turn(llm, history, 'remove the cookie')).toBe('Okay, I took off one cookie. Anything else?');

    expect(await turn(llm, history, "No, that's all.")).toBe(
      'So that is two lattes, one muffin and three bagels, for a total of twenty dollars and fifty cents. Is that right?',
    );
    s = llm.dialogState(history.messages());
    expect(s.state).toBe('confirm');
    expect(s.totalCents).toBe(2 * PRICE.latte + PRICE.muffin + 3 * PRICE.bagel);

    // Barge-in: the caller cut the read-back short; the gateway keeps only what was heard.
    expect(history.replaceLastAssistant('So that is two lattes, one muffin')).toBe(true);
    expect(llm.dialogState(history.messages()).state).toBe('confirm');

    // A correction at confirm: "no" plus the right quantity.
    expect(await turn(llm, history, 'No, one latte.')).toBe(
      'Okay, one latte then. So that is one latte, one muffin and three bagels, for a total of sixteen dollars. Is that right?',
    );
    expect(llm.dialogState(history.messages()).totalCents).toBe(PRICE.latte + PRICE.muffin + 3 * PRICE.bagel);

    // A plain "no": the fix state, then an added item brings the read-back again.
    expect(await turn(llm, history, 'no')).toBe('What would you like to change? You can add or remove an item, or start over.');
    expect(await turn(llm, history, 'add twelve cappuccinos')).toBe(
      'Okay, I added twelve cappuccinos. So that is one latte, one muffin, three bagels and twelve cappuccinos, for a total of sixty seven dollars. Is that right?',
    );
    expect(llm.dialogState(history.messages()).totalCents).toBe(PRICE.latte + PRICE.muffin + 3 * PRICE.bagel + 12 * PRICE.cappuccino);

    // Confirm by keypad (1 = yes), then checkout.
    expect(await turn(llm, history, '[caller pressed keys: 1]')).toBe('Great. What name should I put the order under?');
    expect(await turn(llm, history, "It's Omar.")).toBe('I have the name Omar. Is that right?');
    expect(await turn(llm, history, 'no my name is Nina')).toBe('I have the name Nina. Is that right?');
    expect(await turn(llm, history, 'yes')).toBe(
      'Thank you, Nina. Your order will be ready for pickup in about ten minutes, and your total is sixty seven dollars. Goodbye!',
    );
    s = llm.dialogState(history.messages());
    expect(s).toMatchObject({ state: 'done', ended: true, variables: { customerName: 'Nina' }, expectedPhrases: undefined });
    expect(s.order).toEqual([
      { itemId: 'latte', name: 'latte', quantity: 1, unitCents: 450, lineCents: 450 },
      { itemId: 'muffin', name: 'muffin', quantity: 1, unitCents: 325, lineCents: 325 },
      { itemId: 'bagel', name: 'bagel', quantity: 3, unitCents: 275, lineCents: 825 },
      { itemId: 'cappuccino', name: 'cappuccino', quantity: 12, unitCents: 425, lineCents: 5100 },
    ]);
    expect(await turn(llm, history, 'thanks, bye')).toBe('Your order is in, Nina. Thanks for calling Bean There. Goodbye!');
    expect(s.steps.map((st) => st.outcome)).toEqual([
      'reprompted', 'matched', 'matched', 'matched', 'matched', 'matched', 'matched', 'matched', 'matched', 'matched',
      'matched', 'matched', 'matched',
    ]);
  });

  it('derives the state from the user messages only, so a replayed history gives the same reply', async () => {
    const { llm, history } = newCall();
    await turn(llm, history, 'a mocha and two teas');
    await turn(llm, history, 'that is all');
    const withReplies = llm.dialogState(history.messages());
    const usersOnly = history.messages().filter((m) => m.role === 'user');
    const bare = llm.dialogState(usersOnly);
    expect(bare.state).toBe('confirm');
    expect(bare.reply).toBe(withReplies.reply);
    expect(bare.reply).toBe('So that is one mocha and two teas, for a total of nine dollars and seventy five cents. Is that right?');
    expect(bare.totalCents).toBe(PRICE.mocha + 2 * PRICE.tea);
    // An interrupted reply removed from the history (nothing was heard) changes nothing either.
    history.replaceLastAssistant('');
    expect(llm.dialogState(history.messages()).reply).toBe(bare.reply);
  });

  it('re-prompts up to maxReprompts, then falls back to the keypad menu, and keypad ordering works', async () => {
    const { llm, history } = newCall();
    expect(await turn(llm, history, 'blah')).toMatch(/^Sorry, I did not catch that\. We have/);
    expect(await turn(llm, history, 'blah blah')).toBe('Sorry, I still did not get that. You can say, for example, two lattes and a muffin.');
    const fallback = await turn(llm, history, 'blah blah blah');
    expect(fallback).toMatch(/^Sorry, I am having trouble understanding you\. You can also use your keypad\. Press one for a latte/);
    expect(llm.dialogState(history.messages())).toMatchObject({ state: 'order', reprompts: 0 });
    // The count starts again after the fallback.
    expect(await turn(llm, history, 'blah')).toMatch(/^Sorry, I did not catch that\./);
    expect(await turn(llm, history, 'DTMF: 2')).toBe('One cappuccino, got it. Anything else?');
    expect(await turn(llm, history, 'DTMF: 7')).toBe('One bagel, got it. Anything else?');
    // An unmapped key is a no-match.
    expect(await turn(llm, history, 'DTMF: 5 5')).toMatch(/^Sorry, I did not catch that\./);
    expect(await turn(llm, history, 'DTMF: 9')).toBe(
      'So that is one cappuccino and one bagel, for a total of seven dollars. Is that right?',
    );
    expect(await turn(llm, history, 'DTMF: 2')).toBe('What would you like to change? You can add or remove an item, or start over.');
  });

  it('handles removing everything, start over, the menu and a caller who wants nothing', async () => {
    const { llm, history } = newCall();
    await turn(llm, history, 'one espresso');
    await turn(llm, history, 'nope');
    expect(await turn(llm, history, 'take off the espresso')).toBe(
      'Okay, I took off one espresso. Your order is empty right now. What can I get for you today?',
    );
    expect(llm.dialogState(history.messages()).state).toBe('order');
    expect(await turn(llm, history, 'what is on the menu')).toBe(
      'We have a latte for four dollars and fifty cents, a cappuccino for four dollars and twenty five cents, an espresso for three dollars, a mocha for four dollars and seventy five cents, a tea for two dollars and fifty cents, a muffin for three dollars and twenty five cents, a bagel for two dollars and seventy five cents and a cookie for one dollar and seventy five cents. What can I get for you today?',
    );
    await turn(llm, history, 'twenty cookies');
    expect(llm.dialogState(history.messages()).totalCents).toBe(20 * PRICE.cookie);
    expect(await turn(llm, history, 'start over')).toBe('Okay, starting over. What can I get for you today?');
    expect(llm.dialogState(history.messages()).order).toEqual([]);
    // Twenty one is past the largest quantity: not understood rather than read as "one".
    expect(await turn(llm, history, 'twenty one cookies')).toMatch(/^Sorry, I did not catch that\./);
    expect(await turn(llm, history, 'nothing, thanks')).toBe('Okay, no problem. Thanks for calling Bean There. Goodbye!');
    expect(llm.dialogState(history.messages())).toMatchObject({ state: 'closed', ended: true });
  });

  it('says what is not in the order instead of removing it, and repeats the prompt on request', async () => {
    const { llm, history } = newCall();
    await turn(llm, history, 'a latte');
    expect(await turn(llm, history, 'remove the bagel')).toBe('Sorry, that is not in your order. You have one latte. Anything else?');
    expect(await turn(llm, history, 'can you repeat that')).toBe('Anything else?');
    expect(await turn(llm, history, 'a bagel')).toBe('One bagel, got it. Anything else?');
    expect(await turn(llm, history, 'that is it')).toBe(
      'So that is one latte and one bagel, for a total of seven dollars and twenty five cents. Is that right?',
    );
    // "no" opens the sentence, but the verb decides: a removal, not a correction of the bagel's quantity.
    expect(await turn(llm, history, 'No, I want to remove the bagel.')).toBe(
      'Okay, I took off one bagel. So that is one latte, for a total of four dollars and fifty cents. Is that right?',
    );
    expect(await turn(llm, history, 'repeat that')).toBe('So that is one latte, for a total of four dollars and fifty cents. Is that right?');
  });

  it('returns the expected phrases of the current state: speakable, static per state', async () => {
    const { llm, history } = newCall();
    const order = llm.expectedPhrases(history.messages()) ?? [];
    expect(order).toEqual(expect.arrayContaining(['two latte', 'three bagels', 'a muffin', 'one espresso', 'ten cookies',
      'i would like two bagels', 'can i get an espresso', 'nothing', 'start over', 'what is on the menu']));
    expect(order).not.toContain('eleven bagels'); // phraseMaxQuantity 10
    expect(order).not.toContain('yes');
    await turn(llm, history, 'two bagels');
    const more = llm.expectedPhrases(history.messages()) ?? [];
    expect(more).toEqual(expect.arrayContaining(['no thanks', 'that is all', 'remove a bagel', 'take off two muffins', 'yes']));
    await turn(llm, history, 'and a tea');
    expect(llm.expectedPhrases(history.messages())).toEqual(more); // the order does not change the phrases
    await turn(llm, history, 'no');
    const confirm = llm.expectedPhrases(history.messages()) ?? [];
    expect(confirm).toEqual(expect.arrayContaining(['yes', 'no', 'yes that is right', 'make that two latte', 'no one bagel', 'add a cookie']));
    await turn(llm, history, 'yes');
    const name = llm.expectedPhrases(history.messages()) ?? [];
    expect(name).toEqual(expect.arrayContaining(['anna', 'my name is sam', 'it is olivia']));
    expect(name).not.toContain('two latte');
    for (const list of [order, more, confirm, name]) {
      expect(new Set(list).size).toBe(list.length);
      for (const p of list) expect(p).toMatch(/^[a-z]+(?: [a-z]+)*$/);
      expect(list.length).toBeLessThanOrEqual(1000);
    }
  });

  it('logs state and intent per reply, never what the caller said', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const llm = createScriptedLlm({ logger: pino({ level: 'debug' }, sink) });
    expect(Object.isFrozen(llm.script.states)).toBe(true);
    const history = new ConversationHistory({ maxTurns: 200 });
    for (const said of ['a latte', 'no', 'yes', 'my name is Zoltan']) await turn(llm, history, said);
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3] as string)).toMatchObject({ provider: 'scripted', state: 'name', next: 'name_confirm', intent: 'give_name', outcome: 'matched', turns: 4 });
    expect(lines.join('')).not.toMatch(/zoltan/i);
  });
});
