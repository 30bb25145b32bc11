import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { SttError } from '../errors';
import { buildJsgf, grammarWords, phraseItems, phraseSetKey, withoutUnknown } from './grammar';
import {
  POCKETSPHINX_WORKER_SOURCE,
  type PocketsphinxReply,
  type PocketsphinxRequest,
  type PocketsphinxWorkerData,
} from './pocketsphinx-worker';

export const PROVIDER = 'pocketsphinx';
/** What CI and `npm run setup` install (tools/apt-packages.txt). */
const INSTALL_HINT = 'install the Debian packages pocketsphinx and pocketsphinx-en-us (apt-get install pocketsphinx pocketsphinx-en-us; `npm run setup` does)';

export interface DecoderConfig {
  readonly sphinxbaseLibrary: string;
  readonly pocketsphinxLibrary: string;
  readonly modelDir: string;
  readonly decoderArgs: Readonly<Record<string, string>>;
}

export type Decoded = Extract<PocketsphinxReply, { type: 'decoded' }>;

/** A grammar ready in the decoder, or why there is none (every phrase was made of unknown words). */
export interface GrammarInfo {
  readonly name: string | undefined;
  readonly phrases: number;
  /** Words of the expected phrases that the dictionary does not have (dropped from the grammar). */
  readonly unknownWords: readonly string[];
  readonly setupMs: number;
}

const unavailable = (message: string, cause?: unknown): SttError =>
  new SttError('STT_UNAVAILABLE', `${PROVIDER}: ${message}`, { provider: PROVIDER, retryable: false, cause });

interface Pending {
  resolve: (r: PocketsphinxReply) => void;
  reject: (e: unknown) => void;
}

/**
 * Owns the PocketSphinx worker: one decoder per process and configuration, shared by every provider created with
 * that configuration (see `acquireDecoderHost`). Requests are answered in order by the worker's one thread. The
 * worker is unref'd while nothing is outstanding, so an idle decoder never keeps the process alive. When the
 * worker dies, outstanding requests fail with a retryable `STT_PROVIDER_ERROR` and the next request starts a new one.
 */
export class DecoderHost {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private readonly pending = new Map<number, Pending>();
  private outstanding = 0;
  private nextId = 1;
  private closed = false;
  /** Grammars by phrase-set key, oldest first (a Map keeps insertion order; a hit is re-inserted). */
  private readonly grammars = new Map<string, Promise<GrammarInfo>>();
  users = 0;

  constructor(
    private readonly config: DecoderConfig,
    private readonly maxGrammars: number,
    private readonly logger: Logger | undefined,
  ) {}

  /** Starts the worker and loads the decoder (once); rejects with `STT_UNAVAILABLE` when it cannot. */
  start(): Promise<Worker> {
    if (this.closed) return Promise.reject(new SttError('STT_PROVIDER_ERROR', `${PROVIDER}: provider is closed`, { provider: PROVIDER, retryable: false }));
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** The decoder's grammar for these phrases: built, checked against the dictionary and loaded on first use. */
  grammar(phrases: readonly string[]): Promise<GrammarInfo> {
    const key = phraseSetKey(phrases);
    let info = this.grammars.get(key);
    if (info) {
      this.grammars.delete(key);
    } else {
      info = this.loadGrammar(key, phrases);
      info.catch(() => this.grammars.delete(key));
    }
    this.grammars.set(key, info);
    while (this.grammars.size > this.maxGrammars) {
      const [oldest, evicted] = this.grammars.entries().next().value as [string, Promise<GrammarInfo>];
      this.grammars.delete(oldest);
      void evicted.then((g) => g.name !== undefined && this.worker?.postMessage({ op: 'drop', name: g.name } satisfies PocketsphinxRequest)).catch(() => undefined);
    }
    return info;
  }

  /**
   * Decodes one utterance of 16 kHz PCM16 with a grammar (its search name) or the language model (`undefined`).
   * Resolves `undefined` when `signal` aborts first; the worker still finishes that decode (a PocketSphinx call
   * cannot be interrupted) and its result is dropped.
   */
  async decode(pcm: Int16Array, search: string | undefined, signal: AbortSignal): Promise<Decoded | undefined> {
    const reply = await this.request((id) => ({ op: 'decode', id, search: search ?? null, pcm }), signal, [pcm.buffer as ArrayBuffer]);
    if (reply === undefined) return undefined;
    if (reply.type !== 'decoded') throw this.unexpected(reply);
    return reply;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  stats(): { outstanding: number; grammars: number; running: boolean } {
    return { outstanding: this.outstanding, grammars: this.grammars.size, running: this.worker !== undefined };
  }

  /** Terminates the worker; outstanding requests fail. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker ?? (await this.starting?.catch(() => undefined));
    this.worker = undefined;
    await w?.terminate();
  }

  private async loadGrammar(key: string, phrases: readonly string[]): Promise<GrammarInfo> {
    const t = performance.now();
    const items = phrases.map(phraseItems);
    const words = grammarWords(items);
    const looked = await this.request((id) => ({ op: 'lookup', id, words }));
    if (looked?.type !== 'lookup') throw this.unexpected(looked);
    const usable = withoutUnknown(items, new Set(looked.unknown));
    if (looked.unknown.length > 0) this.logger?.debug({ unknown: looked.unknown }, `${PROVIDER}: words not in the dictionary left out of the grammar`);
    if (usable.length === 0) return { name: undefined, phrases: 0, unknownWords: looked.unknown, setupMs: performance.now() - t };
    const jsgf = buildJsgf(usable);
    const set = await this.request((id) => ({ op: 'grammar', id, name: key, jsgf }));
    if (set?.type !== 'grammar') throw this.unexpected(set);
    return { name: key, phrases: usable.length, unknownWords: looked.unknown, setupMs: performance.now() - t };
  }

  private unexpected(reply: PocketsphinxReply | undefined): SttError {
    const what = reply?.type === 'failed' ? reply.message : `unexpected reply ${reply?.type ?? 'none'}`;
    return new SttError('STT_PROVIDER_ERROR', `${PROVIDER}: ${what}`, { provider: PROVIDER, retryable: false });
  }

  private async request(
    make: (id: number) => PocketsphinxRequest,
    signal?: AbortSignal,
    transfer?: ArrayBuffer[],
  ): Promise<PocketsphinxReply | undefined> {
    const worker = await this.start();
    if (signal?.aborted) return undefined;
    const id = this.nextId++;
    this.outstanding++;
    worker.ref(); // a decode in flight keeps the process alive
    const reply = new Promise<PocketsphinxReply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    worker.postMessage(make(id), transfer);
    if (!signal) return reply;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([reply, aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      reply.catch(() => undefined); // answered after an abort: dropped
    }
  }

  private settle(m: PocketsphinxReply): void {
    if (!('id' in m)) return;
    const p = this.pending.get(m.id);
    this.pending.delete(m.id);
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (this.outstanding === 0) this.worker?.unref();
    p?.resolve(m);
  }

  private spawn(): Promise<Worker> {
    const c = this.config;
    const hmm = join(c.modelDir, 'en-us');
    const files = [join(hmm, 'mdef'), join(c.modelDir, 'cmudict-en-us.dict'), join(c.modelDir, 'en-us.lm.bin')];
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) return Promise.reject(unavailable(`model files missing (${missing.join(', ')}): ${INSTALL_HINT}`));
    let koffiPath: string;
    try {
      koffiPath = require.resolve('koffi');
    } catch (cause) {
      return Promise.reject(unavailable('the koffi npm package is not installed', cause));
    }
    const data: PocketsphinxWorkerData = {
      koffiPath,
      sphinxbaseLibrary: c.sphinxbaseLibrary,
      pocketsphinxLibrary: c.pocketsphinxLibrary,
      args: {
        '-hmm': hmm,
        '-dict': join(c.modelDir, 'cmudict-en-us.dict'),
        '-lm': join(c.modelDir, 'en-us.lm.bin'),
        '-logfn': '/dev/null', // PocketSphinx logs every utterance to stderr otherwise
        ...c.decoderArgs,
      },
    };
    const worker = new Worker(POCKETSPHINX_WORKER_SOURCE, { eval: true, workerData: data, execArgv: [] }); // no inherited preloads
    return new Promise<Worker>((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: PocketsphinxReply) => {
        if (m.type === 'ready') {
          ready = true;
          this.worker = worker;
          this.logger?.info({ initMs: Math.round(m.initMs) }, `${PROVIDER}: decoder loaded`);
          if (this.outstanding === 0) worker.unref();
          resolve(worker);
        } else if (m.type === 'init-failed') {
          const what = m.stage === 'library' ? `cannot load ${c.pocketsphinxLibrary} / ${c.sphinxbaseLibrary} (${m.message})` : `decoder init failed (${m.message})`;
          reject(unavailable(`${what}: ${INSTALL_HINT}`));
          void worker.terminate();
        } else this.settle(m);
      });
      worker.on('error', (e) => (ready ? this.lost(worker, e) : reject(unavailable(`the decoder worker failed to start (${e.message})`, e))));
      worker.on('exit', (code) => (ready ? this.lost(worker, code) : reject(unavailable(`the decoder worker exited (code ${code}) while loading`))));
    });
  }

  /** The worker died (or was closed): fail what it owed, and let the next request start a new one. */
  private lost(worker: Worker, why: unknown): void {
    if (this.worker === worker) this.worker = undefined;
    this.grammars.clear();
    this.outstanding = 0;
    const error = this.closed
      ? new SttError('STT_PROVIDER_ERROR', `${PROVIDER}: provider is closed`, { provider: PROVIDER, retryable: false })
      : new SttError('STT_PROVIDER_ERROR', `${PROVIDER}: the decoder worker stopped (${why instanceof Error ? why.message : `exit code ${String(why)}`})`, {
          provider: PROVIDER,
          retryable: true,
          cause: why,
        });
    if (!this.closed) this.logger?.error({ err: why }, `${PROVIDER}: decoder worker lost; the next utterance restarts it`);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

const hosts = new Map<string, DecoderHost>();

/**
 * The shared host for `config`, started and ready (the decoder is loaded once per process and configuration).
 * Each acquire must be paired with `releaseDecoderHost`; the last release terminates the worker.
 */
export async function acquireDecoderHost(config: DecoderConfig, maxGrammars: number, logger: Logger | undefined): Promise<DecoderHost> {
  const key = JSON.stringify(config);
  let host = hosts.get(key);
  if (!host) {
    host = new DecoderHost(config, maxGrammars, logger);
    hosts.set(key, host);
  }
  host.users++;
  try {
    await host.start();
    return host;
  } catch (e) {
    await releaseDecoderHost(config, host);
    throw e;
  }
}

export async function releaseDecoderHost(config: DecoderConfig, host: DecoderHost): Promise<void> {
  host.users--;
  if (host.users > 0) return;
  if (hosts.get(JSON.stringify(config)) === host) hosts.delete(JSON.stringify(config));
  await host.close();
}
