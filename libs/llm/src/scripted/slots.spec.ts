import { Catalogue } from './catalogue';
import { extractItems, extractName, extractNumber, extractSlot } from './slots';
import { tokenize } from './words';

const catalogue = new Catalogue([
  { id: 'latte', name: 'latte', priceCents: 450 },
  { id: 'tea', name: 'tea', priceCents: 250 },
  { id: 'muffin', name: 'muffin', priceCents: 325 },
  { id: 'bmuffin', name: 'blueberry muffin', priceCents: 350, aliases: ['berry muffin'] },
]);
const items = (text: string, max = 20) => extractItems(tokenize(text), catalogue, max)?.map((m) => [m.itemId, m.quantity, m.explicit]);

describe('items slot', () => {
  it('reads quantities as words, digits and articles', () => {
    expect(items('two lattes and a muffin')).toEqual([['latte', 2, true], ['muffin', 1, true]]);
    expect(items('I want 3 lattes, 1 tea')).toEqual([['latte', 3, true], ['tea', 1, true]]);
    expect(items('seventeen muffins')).toEqual([['muffin', 17, true]]);
    expect(items('latte')).toEqual([['latte', 1, false]]);
    expect(items('the latte please')).toEqual([['latte', 1, false]]);
  });

  it('understands fillers, couples, dozens and another', () => {
    expect(items('two cups of tea')).toEqual([['tea', 2, true]]);
    expect(items('a couple of lattes')).toEqual([['latte', 2, true]]);
    expect(items('a dozen muffins')).toEqual([['muffin', 12, true]]);
    expect(items('a latte and another latte')).toEqual([['latte', 1, true], ['latte', 1, true]]);
    expect(items('three more lattes')).toEqual([['latte', 3, true]]);
  });

  it('prefers the longest item name, and aliases', () => {
    expect(items('two blueberry muffins and a muffin')).toEqual([['bmuffin', 2, true], ['muffin', 1, true]]);
    expect(items('a berry muffin')).toEqual([['bmuffin', 1, true]]);
  });

  it('reads what a recogniser writes for numbers before an item', () => {
    expect(items('to lattes')).toEqual([['latte', 2, true]]);
    expect(items('for teas')).toEqual([['tea', 4, true]]);
  });

  it('does not take one quantity for two items', () => {
    expect(items('two lattes muffin')).toEqual([['latte', 2, true], ['muffin', 1, false]]);
  });

  it('when anchored (a hole), lets only fillers come before the first item', () => {
    const anchored = (text: string) => extractItems(tokenize(text), catalogue, 20, true)?.map((m) => [m.itemId, m.quantity]);
    expect(anchored('yes and three lattes please')).toEqual([['latte', 3]]);
    expect(anchored('um the muffin')).toEqual([['muffin', 1]]);
    expect(anchored('i want to remove the muffin')).toBeUndefined();
    expect(items('i want to remove the muffin')).toEqual([['muffin', 1, false]]);
  });

  it('fails on quantities out of range or no item', () => {
    expect(items('twenty one lattes')).toBeUndefined();
    expect(items('zero lattes')).toBeUndefined();
    expect(items('five lattes', 4)).toBeUndefined();
    expect(items('a coffee please')).toBeUndefined();
  });
});

describe('number slot', () => {
  it('finds the first number within range', () => {
    expect(extractNumber(tokenize('a table for six please'), 1, 20)).toBe(6);
    expect(extractNumber(tokenize('we are 12'), 1, 20)).toBe(12);
    expect(extractNumber(tokenize('a couple'), 1, 20)).toBe(2);
    expect(extractNumber(tokenize('twenty five of us'), 1, 20)).toBeUndefined();
    expect(extractNumber(tokenize('none'), 1, 20)).toBeUndefined();
  });
});

describe('name slot', () => {
  it('takes a known name first, else the words after "my name is", else a short reply', () => {
    expect(extractName(tokenize('um it is Anna thanks'), ['anna', 'sam'])).toBe('Anna');
    expect(extractName(tokenize('My name is Zoltan Kiss'), ['anna'])).toBe('Zoltan Kiss');
    expect(extractName(tokenize('Zoltan'), ['anna'])).toBe('Zoltan');
    expect(extractName(tokenize('yes please'), ['anna'])).toBeUndefined();
    expect(extractName(tokenize('that is wrong'), ['anna'])).toBeUndefined();
    expect(extractName(tokenize('i would like to change my order please'), ['anna'])).toBeUndefined();
  });
});

describe('yes/no and choice slots', () => {
  it('prefers the longer of competing yes/no phrases', () => {
    expect(extractSlot({ type: 'yesno' }, tokenize("that's not right"), undefined)).toMatchObject({ value: 'no' });
    expect(extractSlot({ type: 'yesno' }, tokenize('yeah sure'), undefined)).toMatchObject({ value: 'yes' });
    expect(extractSlot({ type: 'yesno' }, tokenize('maybe'), undefined)).toBeUndefined();
  });

  it('maps synonyms to a value', () => {
    const day = { type: 'choice', values: { friday: ['friday'], saturday: ['saturday', 'the weekend'] } } as const;
    expect(extractSlot(day, tokenize('how about the weekend'), undefined)).toEqual({ type: 'choice', value: 'saturday', spoken: 'saturday' });
    expect(extractSlot(day, tokenize('monday'), undefined)).toBeUndefined();
  });
});
