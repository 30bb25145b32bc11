import {
  cleanChunk,
  countWords,
  endsSentence,
  isClausePunct,
  isCloser,
  isDash,
  isOpener,
  isSpace,
  isSpeakable,
  isTerminal,
} from './sentence-rules';

export interface SentenceChunkerOptions {
  /** The first chunk of a reply may end at a clause (`,` `;` `:` `—`) once it has this many words. Default 4. */
  minFirstWords?: number;
  /** Longest chunk; a longer run is cut at its last clause mark or space. Default 250 characters. */
  maxChars?: number;
}

/**
 * Turns a reply's text deltas into speakable chunks as early as possible: the first chunk may be a clause, so the
 * first TTS request starts sooner; later chunks are sentences. Each boundary is decided from the text before it plus
 * the first non-space character after it, one character at a time, so the output is the same however the text is cut
 * into deltas ("3." + "5" stays "3.5"; "Dr." + " Smith" stays together).
 */
export class SentenceChunker {
  private readonly minFirstWords: number;
  private readonly maxChars: number;
  private buf = '';
  private emitted = 0;
  /** `buf` starts at the beginning of a line (reply start or after a newline). */
  private lineStart = true;
  /** The last character seen was a newline inside skipped leading whitespace. */
  private pendingNewline = false;

  constructor(o: SentenceChunkerOptions = {}) {
    this.minFirstWords = o.minFirstWords ?? 4;
    this.maxChars = Math.max(8, o.maxChars ?? 250);
  }

  push(delta: string): string[] {
    const out: string[] = [];
    for (const ch of delta) this.step(ch, out);
    return out;
  }

  /** Emits whatever is left (the end of the reply) and resets for the next reply. */
  flush(): string[] {
    const out: string[] = [];
    this.emit(this.buf.length, out);
    this.buf = '';
    this.emitted = 0;
    this.lineStart = true;
    this.pendingNewline = false;
    return out;
  }

  private step(ch: string, out: string[]): void {
    if (this.buf === '' && isSpace(ch)) {
      if (ch === '\n') this.pendingNewline = true;
      return; // chunks never start with whitespace
    }
    if (this.buf === '' && this.pendingNewline) {
      this.lineStart = true;
      this.pendingNewline = false;
    }
    this.buf += ch;
    if (!isSpace(ch)) this.boundaryBefore(ch, out);
    if (this.buf.length > this.maxChars) this.forceSplit(out);
  }

  /** `ch` (non-space) was just appended: is there a boundary right before it, now that we can see it? */
  private boundaryBefore(ch: string, out: string[]): void {
    const b = this.buf;
    const end = b.length - ch.length; // index of ch
    let wsStart = end;
    while (wsStart > 0 && isSpace(b[wsStart - 1] as string)) wsStart--;
    const spaced = wsStart < end;
    if (spaced && b.slice(wsStart, end).includes('\n')) {
      this.emit(wsStart, out, true);
      return;
    }
    const last = b[wsStart - 1] ?? '';
    // "word—word" or "word — word": a dash between words is a clause boundary.
    // Not a range like "1990–2000" or "9–5".
    const range = /\d/.test(b[wsStart - 2] ?? '') && /\d/.test(ch);
    if (isDash(last) && wsStart >= 2 && !isDash(b[wsStart - 2] as string) && !range) {
      if (this.clauseAllowed(wsStart)) this.emit(wsStart, out);
      return;
    }
    if (!spaced) return;
    let closersStart = wsStart;
    while (closersStart > 0 && isCloser(b[closersStart - 1] as string)) closersStart--;
    let runStart = closersStart;
    while (runStart > 0 && isTerminal(b[runStart - 1] as string)) runStart--;
    if (runStart < closersStart) {
      let wordStart = runStart;
      while (wordStart > 0 && !isSpace(b[wordStart - 1] as string)) wordStart--;
      while (wordStart < runStart && isOpener(b[wordStart] as string)) wordStart++;
      const ctx = { run: b.slice(runStart, closersStart), word: b.slice(wordStart, runStart), wordStartsLine: wordStart === 0 && this.lineStart, next: ch };
      if (endsSentence(ctx)) this.emit(wsStart, out);
      return;
    }
    if (isClausePunct(b[closersStart - 1] ?? '') && this.clauseAllowed(wsStart)) this.emit(wsStart, out);
  }

  private clauseAllowed(at: number): boolean {
    return this.emitted === 0 && countWords(this.buf.slice(0, at)) >= this.minFirstWords;
  }

  /** Too long without a boundary: cut at the last clause mark, else the last space, else hard at maxChars. */
  private forceSplit(out: string[]): void {
    const head = this.buf.slice(0, this.maxChars + 1);
    let cut = -1;
    for (let i = head.length - 1; i > 0; i--) {
      if (isSpace(head[i] as string) && (isClausePunct(head[i - 1] as string) || isDash(head[i - 1] as string))) {
        cut = i;
        break;
      }
    }
    if (cut < 0) cut = head.lastIndexOf(' ');
    if (cut <= 0) {
      cut = this.maxChars;
      const code = this.buf.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--; // keep a surrogate pair whole
    }
    this.emit(cut, out);
  }

  /** Emits `buf[0, at)` when it has anything speakable, and keeps the rest (without leading spaces). */
  private emit(at: number, out: string[], newline = false): void {
    const chunk = cleanChunk(this.buf.slice(0, at));
    if (isSpeakable(chunk)) {
      out.push(chunk);
      this.emitted++;
    }
    this.buf = this.buf.slice(at).trimStart();
    this.lineStart = newline;
  }
}

/** Turns a stream of text deltas into speakable chunks (see `SentenceChunker`). */
export async function* chunkSentences(deltas: AsyncIterable<string>, o?: SentenceChunkerOptions): AsyncGenerator<string> {
  const chunker = new SentenceChunker(o);
  for await (const delta of deltas) yield* chunker.push(delta);
  yield* chunker.flush();
}
