const HOLE = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Names of the `{variable}` holes of a template, in order. */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(HOLE)].map((m) => m[1] as string);
}

/**
 * Fills the holes, leaves no double space or space before punctuation behind, and capitalises each sentence start
 * (`{added}, got it.` → `Two lattes, got it.`): the sentence chunker only ends a sentence before a capital, and TTS
 * prosody follows sentence case.
 */
export function renderTemplate(template: string, value: (name: string) => string): string {
  return template
    .replace(HOLE, (_, name: string) => value(name))
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.?!;:])/g, '$1')
    .trim()
    .replace(/(^|[.?!]\s)([a-z])/g, (_, before: string, c: string) => before + c.toUpperCase());
}
