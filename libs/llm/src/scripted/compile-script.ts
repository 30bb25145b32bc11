import { Catalogue } from './catalogue';
import { rankIntents, type CompiledIntent } from './matcher';
import { compilePattern } from './pattern';
import { expandExample, expandKeywords, slotPhrases } from './phrases';
import type { Branch, DialogScript, IntentSpec, StateSpec } from './script-types';
import { DEFAULT_NUMBER_RANGE } from './slots';
import { badScript, parseDialogScript } from './validate-script';
import { tokenize } from './words';

export interface CompiledState {
  readonly id: string;
  readonly spec: StateSpec;
  /** The state's own intents, then the global ones (none in a final state). */
  readonly intents: readonly CompiledIntent[];
  /** Static per state, so an STT can cache the grammar it builds from them; undefined: no grammar (free speech). */
  readonly phrases: readonly string[] | undefined;
}

export interface CompiledScript {
  readonly script: DialogScript;
  readonly catalogue: Catalogue | undefined;
  readonly states: ReadonlyMap<string, CompiledState>;
}

/** Defaults of the optional script fields (README "Script format"). */
export const SCRIPT_DEFAULTS = {
  maxReprompts: 2,
  reprompt: ['Sorry, I did not catch that. {prompt}', 'Sorry, I still did not get that. {prompt}'],
  fallback: { say: 'Sorry, I am having trouble understanding you. {prompt}' } as Branch,
  phraseMaxQuantity: DEFAULT_NUMBER_RANGE.max,
  /** A larger phrase list makes a weaker grammar and a slower STT set-up; more than this is a script error. */
  maxPhrasesPerState: 1000,
} as const;

function compileIntent(spec: IntentSpec, global: boolean): CompiledIntent {
  return {
    spec,
    global,
    patterns: (spec.examples ?? []).map((e) => {
      const parts = compilePattern(e);
      const holes = parts.filter((p) => p.kind === 'slot').length;
      return { parts, words: parts.length - holes, holes };
    }),
    keywords: expandKeywords(spec.keywords ?? []).map((k) => tokenize(k).join(' ')),
    slots: new Map(Object.entries(spec.slots ?? {})),
  };
}

function phrasesOf(intents: readonly CompiledIntent[], script: DialogScript, catalogue: Catalogue | undefined): string[] {
  const max = script.phraseMaxQuantity ?? SCRIPT_DEFAULTS.phraseMaxQuantity;
  const out = new Set<string>();
  for (const intent of intents) {
    const of = (slot: string): readonly string[] => {
      const spec = intent.slots.get(slot);
      return spec ? slotPhrases(spec, catalogue, max) : [];
    };
    for (const e of intent.spec.examples ?? []) for (const p of expandExample(e, of)) out.add(p);
    for (const k of expandKeywords(intent.spec.keywords ?? [])) out.add(k);
  }
  return [...out];
}

/**
 * Validates (see `parseDialogScript`) and prepares a script: compiled examples, expected phrases per state, and
 * the checks that need the matcher (every state keypad mapping must reach an intent of its state).
 */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

export function compileScript(input: DialogScript, provider: string): CompiledScript {
  // Frozen: `provider.script` is handed out, and the engine must not change under a caller who edits it.
  const script = deepFreeze(parseDialogScript(input, provider));
  const catalogue = script.catalogue ? new Catalogue(script.catalogue) : undefined;
  const globals = (script.globalIntents ?? []).map((i) => compileIntent(i, true));
  const states = new Map<string, CompiledState>();
  const problems: string[] = [];
  for (const [id, spec] of Object.entries(script.states)) {
    const intents = spec.final ? [] : [...(spec.expect ?? []).map((i) => compileIntent(i, false)), ...globals];
    const phrases = spec.final ? [] : phrasesOf(intents, script, catalogue);
    if (phrases.length > SCRIPT_DEFAULTS.maxPhrasesPerState) {
      problems.push(`states.${id}: expands to ${phrases.length} expected phrases (max ${SCRIPT_DEFAULTS.maxPhrasesPerState}); lower phraseMaxQuantity or use fewer slot examples`);
    }
    for (const [key, phrase] of Object.entries(spec.dtmf ?? {})) {
      if (rankIntents(intents, tokenize(phrase), catalogue).length === 0) problems.push(`states.${id}.dtmf.${key}: "${phrase}" matches no intent of the state`);
    }
    states.set(id, { id, spec, intents, phrases: phrases.length > 0 ? phrases : undefined });
  }
  if (problems.length > 0) throw badScript(problems, provider);
  return { script, catalogue, states };
}
