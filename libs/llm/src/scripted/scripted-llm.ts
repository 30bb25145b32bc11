import type { Logger } from 'pino';
import { LlmError } from '../llm-error';
import type { ChatMessage, LlmDelta, LlmProvider, LlmStreamOptions } from '../types';
import { COFFEE_SHOP_SCRIPT } from './coffee-shop-script';
import { compileScript } from './compile-script';
import { DialogEngine, type DialogSnapshot } from './dialog-engine';
import type { DialogScript } from './script-types';

export interface ScriptedLlmOptions {
  /** Default: `COFFEE_SHOP_SCRIPT`, the ordering/checkout flow. */
  script?: DialogScript;
  /** Template values over the script's own `variables`, e.g. the gateway's persona. */
  variables?: { agentName?: string; companyName?: string } & Readonly<Record<string, string | undefined>>;
  /** `provider.name` and `provider` on errors; default `scripted`. */
  name?: string;
  /** `debug` per reply: state, intent, outcome (never what the caller said: it may hold a name). */
  logger?: Logger;
}

/** An offline `LlmProvider` that follows a dialog script, plus the dialog's state for the STT grammar and UIs. */
export interface ScriptedLlm extends LlmProvider {
  /** The validated script it runs. */
  readonly script: DialogScript;
  /** Replays `history` and returns where the dialog stands (what `stream` would answer, the order, the state). */
  dialogState(history: readonly ChatMessage[]): DialogSnapshot;
  /** The phrases the caller may say next, for a speech grammar; undefined when the call is over. Static per state. */
  expectedPhrases(history: readonly ChatMessage[]): readonly string[] | undefined;
}

/**
 * Creates the scripted provider. The script is checked here: an invalid one throws `LlmError` `LLM_BAD_SCRIPT`
 * listing every problem. `stream` answers the last user message one word per delta (so the sentence chunker and TTS
 * run as with a real model), then `done` with `finishReason: 'stop'`; `tools` are ignored.
 */
export function createScriptedLlm(options: ScriptedLlmOptions = {}): ScriptedLlm {
  const name = options.name ?? 'scripted';
  const compiled = compileScript(options.script ?? COFFEE_SHOP_SCRIPT, name);
  const variables: Record<string, string> = { ...compiled.script.variables };
  for (const [k, v] of Object.entries(options.variables ?? {})) {
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new LlmError('LLM_INVALID_OPTIONS', `${name}: variables.${k} must be a string`, { provider: name, retryable: false });
    variables[k] = v;
  }
  const engine = new DialogEngine(compiled, variables);
  const log = options.logger;

  async function* stream(history: readonly ChatMessage[], o: LlmStreamOptions): AsyncGenerator<LlmDelta> {
    if (o.signal.aborted) return;
    const snap = engine.run(history);
    const last = snap.steps.at(-1);
    log?.debug({ provider: name, state: last?.state ?? snap.state, next: snap.state, outcome: last?.outcome ?? 'opening', intent: last?.intent, turns: snap.turns }, 'scripted reply');
    const words = snap.reply.split(' ').filter((w) => w !== '');
    for (let i = 0; i < words.length; i++) {
      // An abort between deltas ends the reply quietly, like a model whose request was cancelled.
      if (o.signal.aborted) return;
      yield { type: 'text', text: i === 0 ? (words[i] as string) : ` ${words[i]}` };
    }
    if (o.signal.aborted) return;
    yield { type: 'done', finishReason: 'stop' };
  }

  return {
    name,
    script: compiled.script,
    stream,
    dialogState: (history) => engine.run(history),
    expectedPhrases: (history) => engine.run(history).expectedPhrases,
  };
}
