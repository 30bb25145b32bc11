import type { ChatMessage } from '../types';
import type { OrderLine } from './catalogue';
import { SCRIPT_DEFAULTS, type CompiledScript, type CompiledState } from './compile-script';
import { parseDtmfText } from './dtmf';
import { rankIntents } from './matcher';
import type { Action, Branch, Condition } from './script-types';
import type { ItemMention, SlotValue } from './slots';
import { renderTemplate } from './template';
import { numberToWords, spokenMoney, tokenize } from './words';

/** What one user message did. */
export interface DialogStep {
  /** The user message as given. */
  readonly input: string;
  /** The state that answered it. */
  readonly state: string;
  /** `matched` an intent (`intent` says which), was `reprompted`, hit the `fallback`, or came after the `end`. */
  readonly outcome: 'matched' | 'reprompted' | 'fallback' | 'ended';
  readonly intent?: string;
  readonly reply: string;
}

export interface DialogOrderLine {
  readonly itemId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitCents: number;
  readonly lineCents: number;
}

/** The dialog after replaying a history: where it stands, what was ordered, and the reply to the last user message. */
export interface DialogSnapshot {
  /** The state waiting for the next user message. */
  readonly state: string;
  /** The state is final: the call is over. */
  readonly ended: boolean;
  /** Consecutive no-matches in this state so far. */
  readonly reprompts: number;
  readonly order: readonly DialogOrderLine[];
  readonly totalCents: number;
  /** Variables set by `set` actions (e.g. `customerName`). */
  readonly variables: Readonly<Record<string, string>>;
  /** User messages replayed. */
  readonly turns: number;
  /** The reply to the last user message; with none, the opening (greeting + start prompt). */
  readonly reply: string;
  readonly lastIntent: string | undefined;
  /** The phrases the caller may say next (undefined in a final state). */
  readonly expectedPhrases: readonly string[] | undefined;
  readonly steps: readonly DialogStep[];
}

interface Progress {
  state: string;
  reprompts: number;
  order: OrderLine[];
  vars: Record<string, string>;
  added: string;
  removed: string;
}

const NO_SLOTS: ReadonlyMap<string, SlotValue> = new Map();

function mentionsOf(v: SlotValue | undefined): readonly ItemMention[] {
  if (v?.type === 'items') return v.mentions;
  if (v?.type === 'item') return [{ itemId: v.itemId, quantity: 1, explicit: false }];
  return [];
}

/** Sums the quantities of repeated items, keeping the order they were first named in. */
function merge(mentions: readonly { itemId: string; quantity: number }[]): OrderLine[] {
  const out: OrderLine[] = [];
  for (const m of mentions) {
    const i = out.findIndex((l) => l.itemId === m.itemId);
    if (i >= 0) out[i] = { itemId: m.itemId, quantity: (out[i] as OrderLine).quantity + m.quantity };
    else out.push({ itemId: m.itemId, quantity: m.quantity });
  }
  return out;
}

/**
 * Runs a compiled script. Stateless: `run(history)` replays every user message from the start state, so the same
 * history always gives the same state and reply, and rewriting assistant messages (barge-in) changes nothing.
 */
export class DialogEngine {
  constructor(
    private readonly c: CompiledScript,
    private readonly variables: Readonly<Record<string, string>>,
  ) {}

  run(history: readonly ChatMessage[]): DialogSnapshot {
    const p: Progress = { state: this.c.script.start, reprompts: 0, order: [], vars: {}, added: '', removed: '' };
    const opening: string[] = [];
    if (this.c.script.greeting) opening.push(this.render(this.c.script.greeting, p, this.stateOf(p.state), NO_SLOTS));
    this.enter(p, this.c.script.start, opening, NO_SLOTS);
    let reply = opening.join(' ');
    const steps: DialogStep[] = [];
    for (const m of history) {
      if (m.role !== 'user') continue;
      const step = this.step(p, m.content);
      steps.push(step);
      reply = step.reply;
    }
    const catalogue = this.c.catalogue;
    const state = this.stateOf(p.state);
    return {
      state: p.state,
      ended: state.spec.final === true,
      reprompts: p.reprompts,
      order: p.order.map((l) => {
        const unitCents = catalogue?.get(l.itemId)?.priceCents ?? 0;
        return { itemId: l.itemId, name: catalogue?.get(l.itemId)?.name ?? l.itemId, quantity: l.quantity, unitCents, lineCents: unitCents * l.quantity };
      }),
      totalCents: catalogue?.totalCents(p.order) ?? 0,
      variables: { ...p.vars },
      turns: steps.length,
      reply,
      lastIntent: steps.at(-1)?.intent,
      expectedPhrases: state.phrases,
      steps,
    };
  }

  /** Answers one user message in place. */
  private step(p: Progress, input: string): DialogStep {
    const st = this.stateOf(p.state);
    const at = p.state;
    p.added = '';
    p.removed = '';
    if (st.spec.final) {
      const t = st.spec.reprompt === undefined ? st.spec.prompt : [st.spec.reprompt].flat()[0] ?? st.spec.prompt;
      return { input, state: at, outcome: 'ended', reply: this.render(t, p, st, NO_SLOTS) };
    }
    const keys = parseDtmfText(input);
    const said = keys === undefined ? input : (st.spec.dtmf?.[keys] ?? this.c.script.dtmf?.[keys] ?? '');
    for (const m of rankIntents(st.intents, tokenize(said), this.c.catalogue)) {
      const spec = m.intent.spec;
      const holds = spec.when === undefined || this.holds(spec.when, p, m.slots);
      const branch = holds ? spec : spec.otherwise;
      if (!branch) continue;
      return { input, state: at, outcome: 'matched', intent: spec.id, reply: this.apply(p, st, branch, m.slots) };
    }
    const max = st.spec.maxReprompts ?? this.c.script.maxReprompts ?? SCRIPT_DEFAULTS.maxReprompts;
    if (p.reprompts < max) {
      p.reprompts++;
      const list = [st.spec.reprompt ?? this.c.script.reprompt ?? SCRIPT_DEFAULTS.reprompt].flat();
      const t = list[Math.min(p.reprompts, list.length) - 1] as string;
      return { input, state: at, outcome: 'reprompted', reply: this.render(t, p, st, NO_SLOTS) };
    }
    const fallback = st.spec.fallback ?? this.c.script.fallback ?? SCRIPT_DEFAULTS.fallback;
    return { input, state: at, outcome: 'fallback', reply: this.apply(p, st, fallback, NO_SLOTS) };
  }

  private apply(p: Progress, st: CompiledState, branch: Branch, slots: ReadonlyMap<string, SlotValue>): string {
    for (const a of branch.do ?? []) this.act(p, a, slots);
    const parts: string[] = [];
    if (branch.say !== undefined) parts.push(this.render(branch.say, p, st, slots));
    p.reprompts = 0;
    if (branch.goto !== undefined) this.enter(p, branch.goto, parts, slots);
    return parts.filter((s) => s !== '').join(' ');
  }

  /** Moves to `target` (following redirects) and says its prompt. Redirects cannot cycle (checked at load). */
  private enter(p: Progress, target: string, parts: string[], slots: ReadonlyMap<string, SlotValue>): void {
    let st = this.stateOf(target);
    for (let hops = 0; st.spec.redirect && hops < this.c.states.size && this.holds(st.spec.redirect.when, p, NO_SLOTS); hops++) {
      if (st.spec.redirect.say !== undefined) parts.push(this.render(st.spec.redirect.say, p, st, slots));
      st = this.stateOf(st.spec.redirect.goto);
    }
    p.state = st.id;
    p.reprompts = 0;
    parts.push(this.render(st.spec.prompt, p, st, slots));
  }

  private act(p: Progress, a: Action, slots: ReadonlyMap<string, SlotValue>): void {
    const speak = (lines: readonly OrderLine[]): string => this.c.catalogue?.spokenOrder(lines) ?? '';
    switch (a.do) {
      case 'addItems':
      case 'setItems': {
        const said = merge(mentionsOf(slots.get(a.slot)));
        for (const m of said) {
          const i = p.order.findIndex((l) => l.itemId === m.itemId);
          const quantity = a.do === 'addItems' && i >= 0 ? (p.order[i] as OrderLine).quantity + m.quantity : m.quantity;
          if (i >= 0) p.order[i] = { itemId: m.itemId, quantity };
          else p.order.push({ itemId: m.itemId, quantity });
        }
        p.added = speak(said);
        return;
      }
      case 'removeItems': {
        const removed: OrderLine[] = [];
        for (const m of mentionsOf(slots.get(a.slot))) {
          const i = p.order.findIndex((l) => l.itemId === m.itemId);
          if (i < 0) continue;
          const line = p.order[i] as OrderLine;
          if (m.explicit && m.quantity < line.quantity) {
            p.order[i] = { itemId: line.itemId, quantity: line.quantity - m.quantity };
            removed.push({ itemId: line.itemId, quantity: m.quantity });
          } else {
            p.order.splice(i, 1);
            removed.push(line);
          }
        }
        p.removed = speak(merge(removed));
        return;
      }
      case 'clearOrder':
        p.order = [];
        return;
      case 'set':
        p.vars[a.var] = a.slot !== undefined ? (slots.get(a.slot)?.spoken ?? '') : (a.value ?? '');
        return;
    }
  }

  private holds(cond: Condition, p: Progress, slots: ReadonlyMap<string, SlotValue>): boolean {
    switch (cond) {
      case 'orderEmpty':
        return p.order.length === 0;
      case 'orderNotEmpty':
        return p.order.length > 0;
      case 'itemsInOrder': {
        const ids = [...slots.values()].flatMap((v) => mentionsOf(v).map((m) => m.itemId));
        return ids.length > 0 && ids.every((id) => p.order.some((l) => l.itemId === id));
      }
    }
  }

  private render(template: string, p: Progress, st: CompiledState, slots: ReadonlyMap<string, SlotValue>): string {
    const cat = this.c.catalogue;
    return renderTemplate(template, (name) => {
      const slot = slots.get(name);
      if (slot) return slot.spoken;
      if (name in p.vars) return p.vars[name] as string;
      switch (name) {
        case 'order':
          return cat?.spokenOrder(p.order) ?? '';
        case 'total':
          return spokenMoney(cat?.totalCents(p.order) ?? 0);
        case 'itemCount':
          return numberToWords(p.order.reduce((n, l) => n + l.quantity, 0));
        case 'added':
          return p.added;
        case 'removed':
          return p.removed;
        case 'menu':
          return cat?.menu() ?? '';
        case 'priceList':
          return cat?.priceList() ?? '';
        case 'prompt':
          return this.render(st.spec.prompt, p, st, slots);
        default:
          return this.variables[name] ?? '';
      }
    });
  }

  private stateOf(id: string): CompiledState {
    const st = this.c.states.get(id);
    if (!st) throw new Error(`scripted: unknown state "${id}"`); // unreachable: gotos are checked at load
    return st;
  }
}
