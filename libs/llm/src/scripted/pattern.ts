import type { SlotValue } from './slots';
import { readNumber, tokenize } from './words';

/** An example phrase compiled to literal words and `{slot}` holes. */
export type PatternPart = { kind: 'word'; word: string } | { kind: 'slot'; slot: string };

const SLOT_TOKEN = /^\{([A-Za-z][A-Za-z0-9_]*)\}$/;

/** `i would like {items}` → words `i` `would` `like` and the hole `items`. Words are normalised like transcripts. */
export function compilePattern(example: string): PatternPart[] {
  return example
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '')
    .flatMap((t): PatternPart[] => {
      const m = SLOT_TOKEN.exec(t);
      if (m) return [{ kind: 'slot', slot: m[1] as string }];
      return tokenize(t).map((word) => ({ kind: 'word', word }));
    });
}

export interface PatternMatch {
  /** First and one-past-last token of the utterance the pattern covers. */
  start: number;
  end: number;
  slots: ReadonlyMap<string, SlotValue>;
}

/**
 * Finds the pattern as a contiguous run of the utterance's tokens; a hole covers one or more tokens from which
 * `fill` must extract its slot. The widest match wins (ties: the earliest), holes try their longest span first.
 */
export function matchPattern(
  parts: readonly PatternPart[],
  tokens: readonly string[],
  fill: (slot: string, span: readonly string[]) => SlotValue | undefined,
): PatternMatch | undefined {
  let best: PatternMatch | undefined;
  const slots = new Map<string, SlotValue>();
  const walk = (pi: number, ti: number): number | undefined => {
    const part = parts[pi];
    if (part === undefined) return ti;
    if (part.kind === 'word') return tokens[ti] === part.word ? walk(pi + 1, ti + 1) : undefined;
    // A hole never starts right after a number, which belongs to it: in "twenty one cookies" a hole may take the
    // whole run (21, out of range) but not "one cookies" or "cookies" (quietly 1).
    if (ti > 0 && readNumber(tokens, ti - 1) !== undefined) return undefined;
    for (let end = tokens.length; end > ti; end--) {
      const v = fill(part.slot, tokens.slice(ti, end));
      if (v === undefined) continue;
      slots.set(part.slot, v);
      const done = walk(pi + 1, end);
      if (done !== undefined) return done;
      slots.delete(part.slot);
    }
    return undefined;
  };
  for (let start = 0; start < tokens.length; start++) {
    slots.clear();
    const end = walk(0, start);
    if (end !== undefined && (!best || end - start > best.end - best.start)) best = { start, end, slots: new Map(slots) };
  }
  return best;
}
