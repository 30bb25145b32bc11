// Deepgram live-streaming server messages, in the exact JSON shapes of the docs
// (deepgram/deepgram-fern-config asyncapi.yml + docs "live-streaming-audio", "speech-started", "utterance-end").
import { randomUUID } from 'node:crypto';

/** A word the fake will report; times are seconds of audio received on this connection. */
export interface FakeDeepgramWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  readonly confidence?: number;
}

export interface DeepgramResultsJson {
  type: 'Results';
  channel_index: [number, number];
  duration: number;
  start: number;
  is_final: boolean;
  speech_final: boolean;
  channel: {
    alternatives: Array<{
      transcript: string;
      confidence: number;
      words: Array<{ word: string; start: number; end: number; confidence: number; punctuated_word?: string }>;
    }>;
  };
  metadata: {
    request_id: string;
    model_info: { name: string; version: string; arch: string };
    model_uuid: string;
  };
  from_finalize: boolean;
}

// Deepgram reports seconds as floats with a handful of decimals; round so tests compare stable numbers.
const round = (s: number): number => Math.round(s * 1e6) / 1e6;

/** `word` is lower-case without punctuation; `punctuated_word` keeps the text as scripted (smart_format). */
function bareWord(w: string): string {
  return w.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, '');
}

export function resultsJson(o: {
  requestId: string;
  start: number;
  end: number;
  words: readonly FakeDeepgramWord[];
  isFinal: boolean;
  speechFinal: boolean;
  fromFinalize: boolean;
  punctuate: boolean;
}): DeepgramResultsJson {
  const words = o.words.map((w) => ({
    word: bareWord(w.word),
    start: round(w.start),
    end: round(w.end),
    confidence: w.confidence ?? 0.99,
    ...(o.punctuate ? { punctuated_word: w.word } : {}),
  }));
  const transcript = o.punctuate ? o.words.map((w) => w.word).join(' ') : words.map((w) => w.word).join(' ');
  const confidence = words.length === 0 ? 0 : Math.min(...words.map((w) => w.confidence));
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration: round(o.end - o.start),
    start: round(o.start),
    is_final: o.isFinal,
    speech_final: o.speechFinal,
    channel: { alternatives: [{ transcript, confidence, words }] },
    metadata: {
      request_id: o.requestId,
      model_info: { name: '2-general-nova', version: '2024-01-18.26916', arch: 'nova-3' },
      model_uuid: 'c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c',
    },
    from_finalize: o.fromFinalize,
  };
}

export function speechStartedJson(timestamp: number): Record<string, unknown> {
  return { type: 'SpeechStarted', channel: [0, 1], timestamp: round(timestamp) };
}

export function utteranceEndJson(lastWordEnd: number): Record<string, unknown> {
  return { channel: [0, 1], last_word_end: round(lastWordEnd), type: 'UtteranceEnd' };
}

export function metadataJson(o: { requestId: string; sha256: string; duration: number }): Record<string, unknown> {
  return {
    type: 'Metadata',
    transaction_key: 'deprecated',
    request_id: o.requestId,
    sha256: o.sha256,
    created: new Date().toISOString(),
    duration: round(o.duration),
    models: ['c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c'],
    model_info: {
      'c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c': { name: '2-general-nova', version: '2024-01-18.26916', arch: 'nova-3' },
    },
    channels: 1,
  };
}

/**
 * Spreads the words of `text` evenly over [start, end) seconds: the rule the fake uses when a script gives
 * plain text, so a test can compute the expected word times from the bytes it sent.
 */
export function spreadWords(text: string, start: number, end: number): FakeDeepgramWord[] {
  const parts = text.split(/\s+/).filter((p) => p.length > 0);
  if (parts.length === 0) return [];
  const step = (end - start) / parts.length;
  return parts.map((word, i) => ({ word, start: start + i * step, end: start + (i + 1) * step }));
}

export const newRequestId = (): string => randomUUID();
