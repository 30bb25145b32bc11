import { MULAW_8K } from '@voice/audio-codec';
import type { ChatMessage } from '@voice/llm';
import { type LocalSttProvider, type SttProvider, createLocalStt } from '@voice/stt';
import type { Logger } from 'pino';

export interface LocalSttForCallsOptions {
  /** The scripted dialog's phrases for a history (undefined with a remote LLM: the recogniser's language model decodes). */
  readonly expectedPhrases?: (messages: readonly ChatMessage[]) => readonly string[] | undefined;
  readonly hangoverMs?: number;
  readonly logger: Logger;
}

/**
 * The offline recogniser for every call: one PocketSphinx decoder per process (`createLocalStt` loads it in a worker,
 * 0.3–1 s, on `warm()` or the first call), and per call a thin provider whose utterances are decoded against that
 * call's expected phrases, read at the end of each utterance, so the grammar follows the dialog.
 */
export function localSttForCalls(o: LocalSttForCallsOptions): {
  sttFor: (messages: () => readonly ChatMessage[]) => SttProvider;
  warm(): Promise<void>;
  close(): Promise<void>;
} {
  let loading: Promise<LocalSttProvider> | undefined;
  const load = (): Promise<LocalSttProvider> => (loading ??= createLocalStt({ vad: o.hangoverMs === undefined ? undefined : { hangoverMs: o.hangoverMs }, logger: o.logger }));
  const expected = o.expectedPhrases;
  return {
    sttFor: (messages) => ({
      name: 'pocketsphinx',
      inputFormat: MULAW_8K,
      async *transcribe(audio, t) {
        const stt = await load();
        yield* stt.transcribe(audio, { signal: t.signal, expectedPhrases: expected ? () => expected(messages()) : undefined });
      },
    }),
    async warm() {
      await load();
    },
    async close() {
      const l = loading;
      loading = undefined;
      if (l) await (await l.catch(() => undefined))?.close();
    },
  };
}
