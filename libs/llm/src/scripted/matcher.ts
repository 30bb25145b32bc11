import type { Catalogue } from './catalogue';
import type { PatternPart } from './pattern';
import { matchPattern } from './pattern';
import type { IntentSpec, SlotSpec } from './script-types';
import { extractSlot, findPhrase, type SlotValue } from './slots';

/** An intent ready to match: its examples compiled, keywords normalised, slots listed. */
export interface CompiledIntent {
  readonly spec: IntentSpec;
  /** Declared in `globalIntents` rather than in the state. */
  readonly global: boolean;
  readonly patterns: readonly { parts: readonly PatternPart[]; words: number; holes: number }[];
  readonly keywords: readonly string[];
  readonly slots: ReadonlyMap<string, SlotSpec>;
}

export interface IntentMatch {
  readonly intent: CompiledIntent;
  readonly score: number;
  readonly slots: ReadonlyMap<string, SlotValue>;
}

/*
 * Scoring (higher wins): an example scores 20 per literal word it matched, +15 per slot it filled, +10 when it
 * covers the whole utterance, +1; a keyword scores 20 per word. So "that is not right" prefers the keyword
 * `not right` (40) over `right` (20), "yes, a muffin" prefers `{items}` (26) over `yes` (20), and
 * "no, three lattes" prefers `no {items}` (46) over both.
 */
function scoreIntent(intent: CompiledIntent, tokens: readonly string[], catalogue: Catalogue | undefined): IntentMatch | undefined {
  const fill = (slot: string, span: readonly string[]): SlotValue | undefined => {
    const spec = intent.slots.get(slot);
    return spec && extractSlot(spec, span, catalogue, true);
  };
  let best = -1;
  let slots: ReadonlyMap<string, SlotValue> = new Map();
  for (const p of intent.patterns) {
    const m = matchPattern(p.parts, tokens, fill);
    if (!m) continue;
    const score = 20 * p.words + 15 * p.holes + (m.start === 0 && m.end === tokens.length ? 10 : 0) + 1;
    if (score > best) {
      best = score;
      slots = m.slots;
    }
  }
  for (const kw of intent.keywords) {
    const hit = findPhrase(tokens, [kw]);
    if (hit) best = Math.max(best, 20 * hit.length);
  }
  if (best < 0) return undefined;
  const all = new Map(slots);
  for (const [name, spec] of intent.slots) {
    if (all.has(name)) continue;
    const v = extractSlot(spec, tokens, catalogue);
    if (v) all.set(name, v);
    else if (!spec.optional) return undefined;
  }
  return { intent, score: best, slots: all };
}

/** The intents that match `tokens`, best first; ties keep the given order (a state's own intents come first). */
export function rankIntents(intents: readonly CompiledIntent[], tokens: readonly string[], catalogue: Catalogue | undefined): IntentMatch[] {
  if (tokens.length === 0) return [];
  const out: IntentMatch[] = [];
  for (const intent of intents) {
    const m = scoreIntent(intent, tokens, catalogue);
    if (m) out.push(m);
  }
  return out.sort((a, b) => b.score - a.score);
}
