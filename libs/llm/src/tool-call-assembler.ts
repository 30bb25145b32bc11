import type { ToolCall } from './types';

/** One streamed fragment of a tool call, as both SDKs type `choices[0].delta.tool_calls[i]`. */
export interface ToolCallFragment {
  index: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/**
 * Rebuilds tool calls from stream fragments. The first fragment of a call carries `index`, `id` and `function.name`;
 * later ones carry only `index` and a piece of `function.arguments` (OpenAI API reference, chat streaming:
 * "ChoiceDeltaToolCall"). Groq sends a whole call in one fragment; both work.
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, { id: string; name: string; args: string[] }>();

  push(fragments: readonly ToolCallFragment[] | null | undefined): void {
    for (const f of fragments ?? []) {
      let call = this.calls.get(f.index);
      if (!call) {
        call = { id: '', name: '', args: [] };
        this.calls.set(f.index, call);
      }
      if (f.id && !call.id) call.id = f.id;
      if (f.function?.name && !call.name) call.name = f.function.name;
      if (f.function?.arguments) call.args.push(f.function.arguments);
    }
  }

  get size(): number {
    return this.calls.size;
  }

  /** The calls in index order; empties the assembler. */
  take(): ToolCall[] {
    const out = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({ id: c.id || `call_${index}`, name: c.name, arguments: c.args.join('') }));
    this.calls.clear();
    return out;
  }
}
