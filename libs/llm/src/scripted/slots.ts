import type { Catalogue } from './catalogue';
import type { SlotSpec } from './script-types';
import { numberToWords, readNumber, tokenize } from './words';

/** An item the caller named, with the quantity said (`explicit`) or 1 when none was. */
export interface ItemMention {
  readonly itemId: string;
  readonly quantity: number;
  readonly explicit: boolean;
}

/** A filled slot. `spoken` is what `{slot}` renders to in templates. */
export type SlotValue =
  | { type: 'number'; value: number; spoken: string }
  | { type: 'item'; itemId: string; spoken: string }
  | { type: 'items'; mentions: readonly ItemMention[]; spoken: string }
  | { type: 'yesno'; value: 'yes' | 'no'; spoken: string }
  | { type: 'choice'; value: string; spoken: string }
  | { type: 'name'; value: string; spoken: string };

/** The built-in yes / no vocabulary (keywords `@yes` / `@no`, and the `yesno` slot). Longer phrases win. */
export const YES_PHRASES: readonly string[] = ['yes', 'yeah', 'yep', 'yup', 'sure', 'correct', 'right', 'okay', 'ok',
  'that is right', 'that is correct', 'sounds good', 'perfect', 'absolutely', 'of course', 'yes please'];
export const NO_PHRASES: readonly string[] = ['no', 'nope', 'nah', 'wrong', 'incorrect', 'not right', 'not correct',
  'that is wrong', 'not quite', 'no thanks', 'no thank you'];

export const DEFAULT_NUMBER_RANGE = { min: 1, max: 20 } as const;

/** Finds the longest of `phrases` in `tokens`; ties go to the earliest. */
export function findPhrase(tokens: readonly string[], phrases: readonly string[]): { at: number; length: number; phrase: string } | undefined {
  let best: { at: number; length: number; phrase: string } | undefined;
  for (const phrase of phrases) {
    const p = phrase.split(' ');
    for (let at = 0; at + p.length <= tokens.length; at++) {
      if (!p.every((w, k) => tokens[at + k] === w)) continue;
      if (!best || p.length > best.length || (p.length === best.length && at < best.at)) best = { at, length: p.length, phrase };
      break;
    }
  }
  return best;
}

// Words that may sit between a quantity and an item: "two cups of tea", "three more lattes", "a large latte".
const QUANTITY_FILLERS = new Set(['of', 'more', 'extra', 'cup', 'cups', 'order', 'orders', 'large', 'small', 'medium',
  'regular', 'hot', 'iced', 'fresh', 'the']);
// What recognisers write for a spoken number right before a noun when they run without a grammar.
const HOMOPHONES: ReadonlyMap<string, number> = new Map([['to', 2], ['too', 2], ['for', 4], ['won', 1]]);

/** The quantity said before the item at `itemAt` (looking no further back than `floor`) and where it starts. */
function quantityBefore(tokens: readonly string[], itemAt: number, floor: number): { value: number; explicit: boolean; start: number } {
  const direct = itemAt - 1 >= floor ? tokens[itemAt - 1] : undefined;
  if (direct !== undefined && HOMOPHONES.has(direct)) return { value: HOMOPHONES.get(direct) as number, explicit: true, start: itemAt - 1 };
  let j = itemAt - 1;
  while (j >= floor && QUANTITY_FILLERS.has(tokens[j] as string)) j--;
  if (j < floor) return { value: 1, explicit: false, start: itemAt };
  const w = tokens[j] as string;
  if (w === 'a' || w === 'an' || w === 'another') return { value: 1, explicit: true, start: j };
  if (w === 'couple') return { value: 2, explicit: true, start: j };
  if (w === 'dozen') return { value: 12, explicit: true, start: j };
  if (j - 1 >= floor) {
    const two = readNumber(tokens, j - 1);
    if (two && two.length === 2) return { value: two.value, explicit: true, start: j - 1 };
  }
  const one = readNumber(tokens, j);
  if (one && one.length === 1) return { value: one.value, explicit: true, start: j };
  return { value: 1, explicit: false, start: itemAt };
}

// What may come before the first item when the items must open the text (a `{items}` hole): "yes, and a muffin",
// "um, the latte". Anything else ("i want to remove the bagel") means the hole is in the wrong place.
const LEADING = new Set([...QUANTITY_FILLERS, 'a', 'and', 'also', 'plus', 'with', 'then', 'um', 'uh', 'oh', 'well', 'so',
  'just', 'please', 'yes', 'yeah', 'okay', 'ok', 'sure']);

/**
 * Every catalogue item named in `tokens`, with quantities; undefined when none is, or a quantity is out of range,
 * or (`anchored`) words other than fillers come before the first one.
 */
export function extractItems(tokens: readonly string[], catalogue: Catalogue, max: number, anchored = false): ItemMention[] | undefined {
  const mentions: ItemMention[] = [];
  let floor = 0;
  for (let i = 0; i < tokens.length; ) {
    const m = catalogue.matchAt(tokens, i);
    if (!m) {
      i++;
      continue;
    }
    const q = quantityBefore(tokens, i, floor);
    if (q.value < 1 || q.value > max) return undefined;
    if (anchored && mentions.length === 0 && !tokens.slice(0, q.start).every((t) => LEADING.has(t))) return undefined;
    mentions.push({ itemId: m.itemId, quantity: q.value, explicit: q.explicit });
    i += m.length;
    floor = i;
  }
  return mentions.length > 0 ? mentions : undefined;
}

/** The first number in `tokens` (digits or words); undefined when there is none or it is outside [min, max]. */
export function extractNumber(tokens: readonly string[], min: number, max: number): number | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i] as string;
    if (w === 'couple') return 2 >= min && 2 <= max ? 2 : undefined;
    if (w === 'dozen') return 12 >= min && 12 <= max ? 12 : undefined;
    const n = readNumber(tokens, i);
    if (n) return n.value >= min && n.value <= max ? n.value : undefined;
  }
  return undefined;
}

const NAME_PREFIXES = ['my name is', 'the name is', 'name is', 'it is', 'this is', 'i am', 'put it under', 'under the name',
  'under', 'call me', 'its'];
// Words that are never (part of) a name: fillers, yes/no, pronouns and the verbs around a name.
const NOT_NAMES = new Set([...YES_PHRASES, ...NO_PHRASES, ...'please thanks thank you the a an name my is for it um uh oh well and so just hi hello that this what not i me we said was be will can do does have has to of in on at with order put under call its say says'.split(' ')]);

function titleCase(words: readonly string[]): string {
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

/** A caller's name: one of the known names, else up to two words after "my name is" (or the whole short reply). */
export function extractName(tokens: readonly string[], known: readonly string[]): string | undefined {
  const hit = findPhrase(tokens, known.map((k) => tokenize(k).join(' ')).filter((k) => k !== ''));
  if (hit) return titleCase(hit.phrase.split(' '));
  const prefix = findPhrase(tokens, NAME_PREFIXES);
  const rest = prefix ? tokens.slice(prefix.at + prefix.length) : tokens;
  const words = rest.filter((w) => !NOT_NAMES.has(w) && !/\d/.test(w) && readNumber([w], 0) === undefined);
  if (words.length === 0 || (!prefix && words.length > 2)) return undefined;
  return titleCase(words.slice(0, 2));
}

/**
 * Fills one slot from `tokens`; undefined when the slot's value is not there. `inHole`: the tokens are the span of
 * an example's `{slot}` hole, so an `items` value must open it.
 */
export function extractSlot(spec: SlotSpec, tokens: readonly string[], catalogue: Catalogue | undefined, inHole = false): SlotValue | undefined {
  switch (spec.type) {
    case 'number': {
      const v = extractNumber(tokens, spec.min ?? DEFAULT_NUMBER_RANGE.min, spec.max ?? DEFAULT_NUMBER_RANGE.max);
      return v === undefined ? undefined : { type: 'number', value: v, spoken: numberToWords(v) };
    }
    case 'item': {
      for (let i = 0; catalogue && i < tokens.length; i++) {
        const m = catalogue.matchAt(tokens, i);
        if (m) return { type: 'item', itemId: m.itemId, spoken: catalogue.get(m.itemId)?.name ?? m.itemId };
      }
      return undefined;
    }
    case 'items': {
      const mentions = catalogue && extractItems(tokens, catalogue, spec.max ?? DEFAULT_NUMBER_RANGE.max, inHole);
      if (!mentions || !catalogue) return undefined;
      return { type: 'items', mentions, spoken: catalogue.spokenOrder(mentions) };
    }
    case 'yesno': {
      const yes = findPhrase(tokens, YES_PHRASES);
      const no = findPhrase(tokens, NO_PHRASES);
      if (!yes && !no) return undefined;
      const value = !yes || (no && no.length >= yes.length) ? 'no' : 'yes';
      return { type: 'yesno', value, spoken: value };
    }
    case 'choice': {
      let best: { value: string; at: number; length: number } | undefined;
      for (const [value, phrases] of Object.entries(spec.values)) {
        const hit = findPhrase(tokens, phrases.map((p) => tokenize(p).join(' ')));
        if (hit && (!best || hit.at < best.at || (hit.at === best.at && hit.length > best.length))) best = { value, ...hit };
      }
      return best && { type: 'choice', value: best.value, spoken: best.value };
    }
    case 'name': {
      const v = extractName(tokens, spec.examples);
      return v === undefined ? undefined : { type: 'name', value: v, spoken: v };
    }
  }
}
