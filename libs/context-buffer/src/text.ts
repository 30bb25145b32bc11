/** Collapses whitespace runs (transcripts and LLM text carry newlines and double spaces that cost tokens). */
export function normalizeText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/**
 * At most `max` UTF-16 units of `text`, keeping its end (or its start), cut at a word boundary when one exists in
 * the kept part and never inside a surrogate pair. The same side as the audio snippet is kept, so the text a
 * context turn carries is, as far as possible, the words its audio says.
 */
export function trimText(text: string, max: number, keep: 'end' | 'start'): string {
  if (text.length <= max) return text;
  if (keep === 'end') {
    let from = text.length - max;
    if (text[from - 1] !== ' ') {
      const space = text.indexOf(' ', from);
      if (space !== -1 && space < text.length - 1) from = space + 1;
    }
    if (isLowSurrogate(text.charCodeAt(from))) from++;
    return text.slice(from).trim();
  }
  let to = max;
  if (text[to] !== ' ') {
    const space = text.lastIndexOf(' ', to);
    if (space > 0) to = space;
  }
  if (isHighSurrogate(text.charCodeAt(to - 1))) to--;
  return text.slice(0, to).trim();
}
