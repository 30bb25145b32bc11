import type { Catalogue } from './catalogue';
import { pluralOf } from './catalogue';
import type { CatalogueItem, SlotSpec } from './script-types';
import { DEFAULT_NUMBER_RANGE, NO_PHRASES, YES_PHRASES } from './slots';
import { article, numberToWords } from './words';

/** Keyword lists with the built-ins `@yes` / `@no` expanded. */
export function expandKeywords(keywords: readonly string[]): string[] {
  return keywords.flatMap((k) => (k === '@yes' ? YES_PHRASES : k === '@no' ? NO_PHRASES : [k]));
}

function itemPhrases(item: CatalogueItem, maxQuantity: number): string[] {
  const plural = item.phrasePlural ?? pluralOf(item);
  const out = [item.name, `${article(item.name)} ${item.name}`, `one ${item.name}`];
  for (let n = 2; n <= maxQuantity; n++) out.push(`${numberToWords(n)} ${plural}`);
  return out;
}

/** What a caller may say for a slot, spelled for a speech grammar. */
export function slotPhrases(spec: SlotSpec, catalogue: Catalogue | undefined, phraseMaxQuantity: number): string[] {
  switch (spec.type) {
    case 'number': {
      const out: string[] = [];
      for (let n = spec.min ?? DEFAULT_NUMBER_RANGE.min; n <= (spec.max ?? DEFAULT_NUMBER_RANGE.max); n++) out.push(numberToWords(n));
      return out;
    }
    case 'item':
      return (catalogue?.items ?? []).map((i) => i.name);
    case 'items': {
      const max = Math.min(spec.max ?? DEFAULT_NUMBER_RANGE.max, phraseMaxQuantity);
      return (catalogue?.items ?? []).flatMap((i) => itemPhrases(i, max));
    }
    case 'yesno':
      return [...YES_PHRASES, ...NO_PHRASES];
    case 'choice':
      return Object.values(spec.values).flat();
    case 'name':
      return [...spec.examples];
  }
}

/** Every phrase an example stands for: each `{slot}` replaced by each of its phrases (a cartesian product). */
export function expandExample(example: string, slotPhrasesOf: (slot: string) => readonly string[]): string[] {
  let out = [''];
  for (const word of example.trim().split(/\s+/)) {
    const hole = /^\{(.+)\}$/.exec(word)?.[1];
    const options = hole === undefined ? [word] : slotPhrasesOf(hole);
    out = out.flatMap((prefix) => options.map((o) => (prefix ? `${prefix} ${o}` : o)));
  }
  return out;
}
