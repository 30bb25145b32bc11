import type { LlmDelta } from '../types';

/**
 * Drains a stream into its deltas and the error it ended with (if any), for the contract suites. `onEvent` sees
 * each delta after it is kept; returning `false` breaks out of the loop (the consumer stopping early).
 */
export async function collect(it: AsyncIterable<LlmDelta>, onEvent?: (e: LlmDelta) => boolean): Promise<{ events: LlmDelta[]; error?: unknown }> {
  const events: LlmDelta[] = [];
  try {
    for await (const e of it) {
      events.push(e);
      if (onEvent?.(e) === false) break;
    }
    return { events };
  } catch (error) {
    return { events, error };
  }
}
