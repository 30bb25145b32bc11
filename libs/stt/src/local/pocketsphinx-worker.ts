/**
 * The code that runs inside the PocketSphinx worker thread: it loads Debian's libpocketsphinx through koffi, builds
 * ONE decoder (0.3–1 s: acoustic model, 30 MB trigram LM, dictionary) and then decodes whole utterances on request,
 * so no recognition work ever runs on the caller's thread. It is shipped as source text (`POCKETSPHINX_WORKER_SOURCE`,
 * an `eval` worker) so it runs the same under jest, swc-node and compiled output; the function must stay
 * self-contained (only its parameters and globals).
 *
 * API shapes: pocketsphinx 5prealpha (Debian 0.8+5prealpha+1), `pocketsphinx.h` and `ps_search.h`.
 */
import type * as Koffi from 'koffi';
import type * as WorkerThreads from 'node:worker_threads';

export interface PocketsphinxWorkerData {
  /** Absolute path of the koffi package, resolved by the main thread (an eval worker resolves from the cwd). */
  readonly koffiPath: string;
  readonly sphinxbaseLibrary: string;
  readonly pocketsphinxLibrary: string;
  /** Decoder arguments (`-hmm`, `-dict`, `-lm`, `-logfn`, ...), as on the pocketsphinx command line. */
  readonly args: Readonly<Record<string, string>>;
}

export type PocketsphinxRequest =
  /** Which of these words the dictionary lacks (a JSGF grammar with an unknown word fails to load). */
  | { readonly op: 'lookup'; readonly id: number; readonly words: readonly string[] }
  /** Adds a named JSGF search. */
  | { readonly op: 'grammar'; readonly id: number; readonly name: string; readonly jsgf: string }
  /** Forgets a named search (grammar cache eviction). */
  | { readonly op: 'drop'; readonly name: string }
  /** Decodes one whole utterance (16 kHz PCM16) with a named grammar, or with the language model when `search` is null. */
  | { readonly op: 'decode'; readonly id: number; readonly search: string | null; readonly pcm: Int16Array };

/** A recognised word; frames are 10 ms (the model's 100 frames per second). `ascr`: its acoustic score. */
export interface DecodedWord {
  readonly word: string;
  readonly startFrame: number;
  readonly endFrame: number;
  readonly ascr: number;
}

export type PocketsphinxReply =
  | { readonly type: 'ready'; readonly initMs: number }
  | { readonly type: 'init-failed'; readonly stage: 'library' | 'decoder'; readonly message: string }
  | { readonly type: 'lookup'; readonly id: number; readonly unknown: readonly string[] }
  | { readonly type: 'grammar'; readonly id: number; readonly ms: number }
  | {
      readonly type: 'decoded';
      readonly id: number;
      readonly words: readonly DecodedWord[];
      readonly frames: number;
      /** The best path's total score (acoustic and language/grammar weights) and its acoustic part, fillers included. */
      readonly score: number;
      readonly pathAscr: number;
      readonly ms: number;
    }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

type Fn<A extends unknown[], R> = (...args: A) => R;

export function pocketsphinxWorkerMain(wt: typeof WorkerThreads, loadKoffi: (path: string) => typeof Koffi): void {
  const port = wt.parentPort;
  if (!port) return;
  const data = wt.workerData as PocketsphinxWorkerData;
  const post = (m: PocketsphinxReply): void => port.postMessage(m);
  const started = performance.now();

  let ps: {
    args: Fn<[], unknown>;
    cmdLnInit: Fn<unknown[], unknown>;
    init: Fn<[unknown], unknown>;
    startUtt: Fn<[unknown], number>;
    processRaw: Fn<[unknown, Int16Array, number, number, number], number>;
    endUtt: Fn<[unknown], number>;
    getHyp: Fn<[unknown, number[]], string | null>;
    nFrames: Fn<[unknown], number>;
    getSearch: Fn<[unknown], string | null>;
    setSearch: Fn<[unknown, string], number>;
    setJsgf: Fn<[unknown, string, string], number>;
    unsetSearch: Fn<[unknown, string], number>;
    lookup: Fn<[unknown, string], string | null>;
    segIter: Fn<[unknown], unknown>;
    segNext: Fn<[unknown], unknown>;
    segWord: Fn<[unknown], string>;
    segFrames: Fn<[unknown, number[], number[]], void>;
    segProb: Fn<[unknown, number[], number[], number[]], number>;
  };
  try {
    const koffi = loadKoffi(data.koffiPath);
    const sb = koffi.load(data.sphinxbaseLibrary);
    const lib = koffi.load(data.pocketsphinxLibrary);
    // ps_lookup_word returns a string the caller must free (pocketsphinx.h); koffi frees a disposable one.
    const heapStr = koffi.disposable('ps_heap_str', 'str');
    ps = {
      args: lib.func('void *ps_args()'),
      cmdLnInit: sb.func('void *cmd_ln_init(void *inout, void *defn, int strict, ...)'),
      init: lib.func('void *ps_init(void *config)'),
      startUtt: lib.func('int ps_start_utt(void *ps)'),
      processRaw: lib.func('int ps_process_raw(void *ps, int16_t *data, size_t n, int no_search, int full_utt)'),
      endUtt: lib.func('int ps_end_utt(void *ps)'),
      getHyp: lib.func('const char *ps_get_hyp(void *ps, _Out_ int32_t *score)'),
      nFrames: lib.func('int ps_get_n_frames(void *ps)'),
      getSearch: lib.func('const char *ps_get_search(void *ps)'),
      setSearch: lib.func('int ps_set_search(void *ps, const char *name)'),
      setJsgf: lib.func('int ps_set_jsgf_string(void *ps, const char *name, const char *jsgf)'),
      unsetSearch: lib.func('int ps_unset_search(void *ps, const char *name)'),
      lookup: lib.func('ps_lookup_word', heapStr, ['void *', 'const char *']),
      segIter: lib.func('void *ps_seg_iter(void *ps)'),
      segNext: lib.func('void *ps_seg_next(void *seg)'),
      segWord: lib.func('const char *ps_seg_word(void *seg)'),
      segFrames: lib.func('void ps_seg_frames(void *seg, _Out_ int *sf, _Out_ int *ef)'),
      segProb: lib.func('int32_t ps_seg_prob(void *seg, _Out_ int32_t *ascr, _Out_ int32_t *lscr, _Out_ int32_t *lback)'),
    } as typeof ps;
  } catch (e) {
    post({ type: 'init-failed', stage: 'library', message: e instanceof Error ? e.message : String(e) });
    return;
  }

  const variadic = Object.entries(data.args).flatMap(([k, v]) => ['str', k, 'str', v]);
  const config = ps.cmdLnInit(null, ps.args(), 1, ...variadic, 'void *', null);
  const decoder = config ? ps.init(config) : null;
  if (!decoder) {
    post({ type: 'init-failed', stage: 'decoder', message: config ? 'ps_init returned NULL (model files unreadable?)' : 'cmd_ln_init rejected the decoder arguments' });
    return;
  }
  // The search that -lm created; grammars are added beside it as named searches and switched per utterance.
  const lmSearch = ps.getSearch(decoder) ?? '_default';
  const fail = (id: number, e: unknown): void => post({ type: 'failed', id, message: e instanceof Error ? e.message : String(e) });

  const decode = (id: number, search: string | null, pcm: Int16Array): void => {
    const t = performance.now();
    if (ps.setSearch(decoder, search ?? lmSearch) < 0) return fail(id, `no search named ${search ?? lmSearch}`);
    // full_utt = 1: the whole utterance in one call, after the VAD endpoint. Live CMN over the whole utterance is
    // what makes telephone audio work with this wideband model (measured on flite telephone speech: 6–26 % WER
    // this way, 82–98 % with the pocketsphinx_continuous CLI, which starts CMN from wideband defaults).
    if (ps.startUtt(decoder) < 0 || ps.processRaw(decoder, pcm, pcm.length, 0, 1) < 0 || ps.endUtt(decoder) < 0) {
      return fail(id, 'ps_start_utt/ps_process_raw/ps_end_utt failed');
    }
    const score = [0];
    ps.getHyp(decoder, score);
    const words: DecodedWord[] = [];
    let pathAscr = 0;
    for (let seg = ps.segIter(decoder); seg; seg = ps.segNext(seg)) {
      const word = ps.segWord(seg);
      const ascr = [0];
      ps.segProb(seg, ascr, [0], [0]);
      pathAscr += ascr[0];
      // Fillers: sentence marks, silence, [NOISE]-style and ++NOISE++-style entries.
      if (/^(<s>|<\/s>|<sil>|\[.*\]|\+\+.*\+\+)$/.test(word)) continue;
      const sf = [0];
      const ef = [0];
      ps.segFrames(seg, sf, ef);
      // "word(2)" is the second pronunciation of "word".
      words.push({ word: word.replace(/\(\d+\)$/, ''), startFrame: sf[0], endFrame: ef[0], ascr: ascr[0] });
    }
    post({ type: 'decoded', id, words, frames: ps.nFrames(decoder), score: score[0], pathAscr, ms: performance.now() - t });
  };

  port.on('message', (m: PocketsphinxRequest) => {
    try {
      if (m.op === 'decode') decode(m.id, m.search, m.pcm);
      else if (m.op === 'lookup') post({ type: 'lookup', id: m.id, unknown: m.words.filter((w) => ps.lookup(decoder, w) === null) });
      else if (m.op === 'grammar') {
        const t = performance.now();
        if (ps.setJsgf(decoder, m.name, m.jsgf) < 0) fail(m.id, 'ps_set_jsgf_string rejected the grammar');
        else post({ type: 'grammar', id: m.id, ms: performance.now() - t });
      } else {
        ps.setSearch(decoder, lmSearch); // never free the search the decoder points at
        ps.unsetSearch(decoder, m.name);
      }
    } catch (e) {
      if (m.op !== 'drop') fail(m.id, e);
    }
  });
  post({ type: 'ready', initMs: performance.now() - started });
}

/** Source of an `eval` worker running {@link pocketsphinxWorkerMain}. */
export const POCKETSPHINX_WORKER_SOURCE = `(${pocketsphinxWorkerMain.toString()})(require('node:worker_threads'), (p) => require(p));`;
