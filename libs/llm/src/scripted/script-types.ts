/**
 * The declarative dialog script of the scripted (offline) LLM. A plain JSON-compatible object: write it in TS with
 * these types, or load it from JSON with `parseDialogScript`. Every template is plain text with `{variable}` holes.
 */
export interface DialogScript {
  /** Shown in logs and errors. */
  name: string;
  /** Id of the state the call starts in. */
  start: string;
  /** Said once before the start state's prompt when the history has no user message yet (the opening turn). */
  greeting?: string;
  /** Things that can be ordered; needed by `item` and `items` slots and the order built-ins. */
  catalogue?: readonly CatalogueItem[];
  /** Template values; `createScriptedLlm({ variables })` overrides them (e.g. `agentName`, `companyName`). */
  variables?: Readonly<Record<string, string>>;
  /** Consecutive no-matches answered with a re-prompt before the fallback is used. Default 2. */
  maxReprompts?: number;
  /** Default re-prompt: a template, or one per attempt (the last repeats). `{prompt}` is the state's prompt. */
  reprompt?: string | readonly string[];
  /** Default fallback after `maxReprompts` re-prompts. */
  fallback?: Branch;
  /** Keypad mappings valid in every state (a state's own mapping wins). */
  dtmf?: Readonly<Record<string, string>>;
  /** Intents understood in every state that is not final (a state's own intent wins a tie). */
  globalIntents?: readonly IntentSpec[];
  /** Highest quantity spelled out in the expected phrases of `items` slots (matching itself accepts up to the slot's max). Default 20. */
  phraseMaxQuantity?: number;
  states: Readonly<Record<string, StateSpec>>;
}

export interface CatalogueItem {
  /** Stable id, used in `dialogState().order`. */
  id: string;
  /** Singular spoken name, lower case words: `latte`, `blueberry muffin`. */
  name: string;
  /** Plural spoken name; default `name + 's'`. */
  plural?: string;
  /**
   * Plural used in expected phrases (the STT grammar) when `plural` is not a word of the recogniser's dictionary
   * (cmudict has `bagels` but not `lattes`); default `plural`.
   */
  phrasePlural?: string;
  /** Other names callers use (singular), matched but not put in expected phrases. */
  aliases?: readonly string[];
  /** Unit price in cents (integer). */
  priceCents: number;
}

export interface StateSpec {
  /** Said when the state is entered. */
  prompt: string;
  /** What the caller may answer here. */
  expect?: readonly IntentSpec[];
  /** Overrides the script's re-prompt. */
  reprompt?: string | readonly string[];
  /** Overrides the script's `maxReprompts`. */
  maxReprompts?: number;
  /** Overrides the script's fallback. */
  fallback?: Branch;
  /** Keypad digits (as one string, e.g. `1` or `12`) mapped to a phrase that is then matched as if spoken. */
  dtmf?: Readonly<Record<string, string>>;
  /** Checked on entering the state, before its prompt: when `when` holds, say `say` and go to `goto` instead. */
  redirect?: { when: Condition; say?: string; goto: string };
  /** The call is over: any input is answered with `reprompt` (default: the prompt); no grammar. */
  final?: boolean;
}

/** What happens after a match (or a fallback): run the actions, say `say`, then enter `goto` (saying its prompt). */
export interface Branch {
  do?: readonly Action[];
  say?: string;
  /** Omitted: stay in the state without repeating its prompt. */
  goto?: string;
}

export interface IntentSpec extends Branch {
  id: string;
  /**
   * Phrases the caller may say, lower-case words only (numbers as words), `{slot}` for a slot value. They are
   * matched against the transcript as whole words anywhere in it and are what `expectedPhrases` returns.
   */
  examples?: readonly string[];
  /** Words or short phrases whose presence alone matches (weaker than an example). `@yes` / `@no` add the built-in lists. */
  keywords?: readonly string[];
  /** Slots this intent fills. A slot that is not `optional` must be found, or the intent does not match. */
  slots?: Readonly<Record<string, SlotSpec>>;
  /** The branch above runs only when this holds; otherwise `otherwise` runs, or (without it) the intent is skipped. */
  when?: Condition;
  otherwise?: Branch;
}

export type SlotSpec =
  | { type: 'number'; min?: number; max?: number; optional?: boolean }
  | { type: 'item'; optional?: boolean }
  | { type: 'items'; max?: number; optional?: boolean }
  | { type: 'yesno'; optional?: boolean }
  | { type: 'choice'; values: Readonly<Record<string, readonly string[]>>; optional?: boolean }
  | { type: 'name'; examples: readonly string[]; optional?: boolean };

export type SlotType = SlotSpec['type'];

/**
 * `orderEmpty` / `orderNotEmpty`: the order has no line / at least one. `itemsInOrder`: every catalogue item named
 * by this intent's `item`/`items` slots is in the order (false when none is named).
 */
export type Condition = 'orderEmpty' | 'orderNotEmpty' | 'itemsInOrder';

export type Action =
  /** Adds the lines of an `items` slot (or one of an `item` slot) to the order. Sets `{added}`. */
  | { do: 'addItems'; slot: string }
  /** Sets the quantity of each named item to the one said (a correction: "no, three lattes"). Sets `{added}`. */
  | { do: 'setItems'; slot: string }
  /** Removes the named items: a said quantity is subtracted, no quantity removes the line. Sets `{removed}`. */
  | { do: 'removeItems'; slot: string }
  | { do: 'clearOrder' }
  /** Stores a slot's spoken value (or a fixed `value`) as a template variable. */
  | { do: 'set'; var: string; slot?: string; value?: string };

export const CONDITIONS: readonly Condition[] = ['orderEmpty', 'orderNotEmpty', 'itemsInOrder'];
export const SLOT_TYPES: readonly SlotType[] = ['number', 'item', 'items', 'yesno', 'choice', 'name'];

/**
 * Template variables the engine fills: the order read back (`two lattes and one muffin`), its total in words, what
 * the last action added or removed, the menu (names, or names with prices) and the current state's prompt.
 */
export const BUILT_IN_VARIABLES = ['order', 'total', 'itemCount', 'added', 'removed', 'menu', 'priceList', 'prompt'] as const;
