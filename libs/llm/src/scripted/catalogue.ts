import type { CatalogueItem } from './script-types';
import { article, joinSpoken, numberToWords, spokenMoney, tokenize } from './words';

/** One line of the order being built: a catalogue item and how many. */
export interface OrderLine {
  readonly itemId: string;
  readonly quantity: number;
}

/** Every spoken form of an item (singular, plural, aliases and their plurals), as normalised words. */
export function itemForms(item: CatalogueItem): string[] {
  const names = [item.name, pluralOf(item), item.phrasePlural ?? '', ...(item.aliases ?? []).flatMap((a) => [a, `${a}s`])];
  return [...new Set(names.map((n) => tokenize(n).join(' ')).filter((n) => n !== ''))];
}

export function pluralOf(item: CatalogueItem): string {
  return item.plural ?? `${item.name}s`;
}

/** The catalogue at run time: finds items in token streams and speaks order lines. */
export class Catalogue {
  private readonly byId = new Map<string, CatalogueItem>();
  /** Form token sequences, longest first, so `chocolate muffin` wins over `muffin`. */
  private readonly forms: { tokens: string[]; itemId: string }[] = [];

  constructor(readonly items: readonly CatalogueItem[]) {
    for (const item of items) {
      this.byId.set(item.id, item);
      for (const f of itemForms(item)) this.forms.push({ tokens: f.split(' '), itemId: item.id });
    }
    this.forms.sort((a, b) => b.tokens.length - a.tokens.length);
  }

  get(id: string): CatalogueItem | undefined {
    return this.byId.get(id);
  }

  /** The item whose form starts at `tokens[at]`, with the number of tokens it spans. */
  matchAt(tokens: readonly string[], at: number): { itemId: string; length: number } | undefined {
    for (const f of this.forms) {
      if (f.tokens.every((t, i) => tokens[at + i] === t)) return { itemId: f.itemId, length: f.tokens.length };
    }
    return undefined;
  }

  /** `one latte`, `two lattes`: quantities as words so TTS reads them the same everywhere. */
  spokenLine(line: OrderLine): string {
    const item = this.byId.get(line.itemId);
    if (!item) return '';
    return `${numberToWords(line.quantity)} ${line.quantity === 1 ? item.name : pluralOf(item)}`;
  }

  /** `two lattes, one muffin and one bagel`, or `nothing`. */
  spokenOrder(lines: readonly OrderLine[]): string {
    return lines.length === 0 ? 'nothing' : joinSpoken(lines.map((l) => this.spokenLine(l)));
  }

  totalCents(lines: readonly OrderLine[]): number {
    return lines.reduce((sum, l) => sum + (this.byId.get(l.itemId)?.priceCents ?? 0) * l.quantity, 0);
  }

  /** `lattes, cappuccinos and muffins`. */
  menu(): string {
    return joinSpoken(this.items.map((i) => pluralOf(i)));
  }

  /** `a latte for four dollars and fifty cents, …and a muffin for three dollars and twenty five cents`. */
  priceList(): string {
    return joinSpoken(this.items.map((i) => `${article(i.name)} ${i.name} for ${spokenMoney(i.priceCents)}`));
  }
}
