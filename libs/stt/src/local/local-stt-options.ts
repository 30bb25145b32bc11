import type { Logger } from 'pino';
import type { TranscribeOptions } from '../types';
import type { GrammarRule } from './fallback-rule';
import { resolveSegmentVad, type SegmentVadOptions, type SegmentVadSettings } from '../vad/segment-vad-options';

/** Expected reply phrases for the next utterance (e.g. the scripted dialog's current state), or none. */
export type ExpectedPhrases = () => readonly string[] | undefined;

/** What one utterance's decode did (the `onDecode` metrics sink). */
export interface LocalDecodeMetrics {
  /** Which result was used: the grammar's or the language model's. */
  readonly used: 'grammar' | 'lm';
  /** Why the language model decoded it: no phrases, no usable grammar, an empty or a poor grammar result. */
  readonly lmReason?: 'no-phrases' | 'no-grammar' | 'grammar-empty' | 'grammar-score' | 'grammar-coverage' | 'grammar-failed';
  /** The fallback rule's inputs: mean acoustic score per frame of the grammar's words, and the share of speech they cover. */
  readonly grammarScore?: number;
  readonly grammarCoverage?: number;
  readonly grammarMs?: number;
  readonly lmMs?: number;
  /** Audio decoded (the VAD segment, rolls included). */
  readonly audioMs: number;
  readonly text: string;
}

export interface LocalSttOptions {
  /** The PocketSphinx library (default `libpocketsphinx.so.3`, found by the dynamic loader; Debian `libpocketsphinx3`). */
  readonly libraryPath?: string;
  /** The SphinxBase library (default `libsphinxbase.so.3`). */
  readonly sphinxbasePath?: string;
  /**
   * Model directory with `en-us/` (acoustic model), `cmudict-en-us.dict` and `en-us.lm.bin`
   * (default `/usr/share/pocketsphinx/model/en-us`, Debian `pocketsphinx-en-us`).
   */
  readonly modelDir?: string;
  /** More decoder arguments, as on the pocketsphinx command line (e.g. `{ '-beam': '1e-60' }`). */
  readonly decoderArgs?: Readonly<Record<string, string>>;
  /**
   * Called at the end of each utterance: when it returns phrases, the utterance is decoded with a JSGF grammar of
   * them first (see `grammarRule` for when the language model decodes it instead). A `transcribe` call can pass
   * its own in `LocalTranscribeOptions`.
   */
  readonly expectedPhrases?: ExpectedPhrases;
  /**
   * The grammar's result is used when it is not empty, the mean acoustic score per 10 ms frame of its words is at
   * least `minScore` and they cover at least `minCoverage` of the speech; otherwise the language model decodes the
   * utterance (see fallback-rule.ts and the README for the measurements behind the defaults).
   */
  readonly grammarRule?: Partial<GrammarRule>;
  /** Grammars kept loaded in the decoder, least recently used dropped first (default 32). */
  readonly maxGrammars?: number;
  /** The fvad VAD that cuts utterances (8 kHz, 20 ms frames). Speech shorter than `minSpeechMs` is not decoded. */
  readonly vad?: SegmentVadOptions;
  /** Metrics sink, called once per decoded utterance; a throwing sink is logged and ignored. */
  readonly onDecode?: (m: LocalDecodeMetrics) => void;
  readonly logger?: Logger;
}

/** `transcribe` options of the local provider: the interface's, plus this call's expected phrases. */
export interface LocalTranscribeOptions extends TranscribeOptions {
  readonly expectedPhrases?: ExpectedPhrases;
}

export interface LocalSttSettings {
  readonly sphinxbaseLibrary: string;
  readonly pocketsphinxLibrary: string;
  readonly modelDir: string;
  readonly decoderArgs: Readonly<Record<string, string>>;
  readonly expectedPhrases: ExpectedPhrases | undefined;
  readonly grammarRule: GrammarRule;
  readonly maxGrammars: number;
  readonly vad: SegmentVadSettings;
  readonly onDecode: ((m: LocalDecodeMetrics) => void) | undefined;
  readonly logger: Logger | undefined;
}

/** See fallback-rule.ts; measured values in the README ("Grammar or language model"). */
export const DEFAULT_GRAMMAR_RULE: GrammarRule = Object.freeze({ minScore: -30, minCoverage: 0.75 });

export function resolveLocalOptions(o: LocalSttOptions): LocalSttSettings {
  const maxGrammars = o.maxGrammars ?? 32;
  if (!Number.isInteger(maxGrammars) || maxGrammars < 1) throw new RangeError(`createLocalStt: maxGrammars must be an integer ≥ 1, got ${maxGrammars}`);
  return {
    sphinxbaseLibrary: o.sphinxbasePath ?? 'libsphinxbase.so.3',
    pocketsphinxLibrary: o.libraryPath ?? 'libpocketsphinx.so.3',
    modelDir: o.modelDir ?? '/usr/share/pocketsphinx/model/en-us',
    decoderArgs: { ...o.decoderArgs },
    expectedPhrases: o.expectedPhrases,
    grammarRule: { ...DEFAULT_GRAMMAR_RULE, ...o.grammarRule },
    maxGrammars,
    vad: resolveSegmentVad(o.vad),
    onDecode: o.onDecode,
    logger: o.logger,
  };
}
