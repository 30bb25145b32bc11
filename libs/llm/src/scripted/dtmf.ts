/**
 * How keypad input reaches a text-only dialog: as a user message. Two spellings are understood, both exact:
 *   `DTMF: 1` (digits may be separated by spaces: `DTMF: 1 2`), and
 *   `[caller pressed keys: 1 2]`, the gateway's `dtmfUserText` (apps/voice-gateway/src/call/dtmf-collector.ts).
 * Keys are 0-9 * # A-D (RFC 4733 §3.2 events 0-15). Anything else is speech.
 */
const FORMS = [/^\s*dtmf\s*:\s*([0-9*#a-d][0-9*#a-d\s]*)$/i, /^\s*\[\s*caller pressed keys?\s*:\s*([0-9*#a-d][0-9*#a-d\s]*)\]\s*$/i];

/** The keys of a DTMF user message (`12`, `*`), or undefined when the text is not one. */
export function parseDtmfText(text: string): string | undefined {
  for (const form of FORMS) {
    const m = form.exec(text);
    if (m) return (m[1] as string).replace(/\s+/g, '').toUpperCase();
  }
  return undefined;
}

/** The canonical user text for keys, `DTMF: 12`. */
export function dtmfText(keys: string): string {
  return `DTMF: ${keys}`;
}
