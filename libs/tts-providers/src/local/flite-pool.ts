import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { untilAborted } from '../abort';
import { TtsError } from '../tts-error';
import { compileFlite } from './flite-module';
import { FLITE_WORKER_SOURCE, type FliteJob, type FliteWorkerMessage } from './flite-worker';
import type { WasmModule } from './wasm-api';

export interface FlitePoolStats {
  /** Workers alive now: pre-spawned ones waiting for a job plus busy ones. */
  readonly live: number;
  /** Pre-spawned workers waiting for a job. */
  readonly idle: number;
  readonly spawned: number;
  /** Jobs handed to a worker (flite started). */
  readonly started: number;
  readonly completed: number;
  /** Jobs given up before their audio was consumed (abort, break); `terminated` of them still had flite running. */
  readonly cancelled: number;
  readonly terminated: number;
  readonly failed: number;
}

/** One single-use worker: spawned, instantiated, given one job, then terminated. */
class FliteWorker {
  readonly ready: Promise<void>;
  readonly result: Promise<Uint8Array>;
  readonly exited: Promise<void>;
  private readonly worker: Worker;
  private job: FliteJob | undefined;

  constructor(module: WasmModule, dir: string, provider: string) {
    // execArgv: [] so a worker does not inherit the parent's preloads (`-r @swc-node/register` added ≈180 ms a start).
    this.worker = new Worker(FLITE_WORKER_SOURCE, { eval: true, workerData: { module, dir }, execArgv: [] });
    const failure = (message: string, cause?: unknown, exitCode?: number): TtsError =>
      // flite's own non-zero exit is deterministic for this text; a crashed or killed thread may not be.
      new TtsError('TTS_PROVIDER_ERROR', `${provider}: ${message}`, { provider, retryable: exitCode === undefined, cause });
    let onReady!: () => void;
    let onResult!: (wav: Uint8Array) => void;
    let onFail!: (e: TtsError) => void;
    const readyMessage = new Promise<void>((resolve) => (onReady = resolve));
    this.result = new Promise<Uint8Array>((resolve, reject) => {
      onResult = resolve;
      onFail = reject;
    });
    // `ready` also rejects when the worker fails or ends before saying it is ready.
    this.ready = Promise.race([readyMessage, this.result.then(() => undefined)]);
    // Awaited only by the job that takes this worker: an idle worker's failure must not be an unhandled rejection.
    this.result.catch(() => undefined);
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: FliteWorkerMessage) => {
      if (m.type === 'ready') onReady();
      else if (m.type === 'done') onResult(m.wav);
      else onFail(failure(`flite ${m.stage} failed: ${m.message}`, undefined, m.exitCode));
    });
    this.worker.on('error', (e) => onFail(failure('flite worker crashed', e)));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        onFail(failure(`flite worker exited (code ${code}) before its audio was ready`));
        resolve();
      }),
    );
    // An idle pre-spawned worker must not keep the process alive; a busy one is ref'd by its job.
    this.worker.unref();
  }

  /** While held (by a job, or by warm() until ready), the worker keeps the process alive. */
  hold(): void {
    this.worker.ref();
  }

  release(): void {
    this.worker.unref();
  }

  start(job: FliteJob): void {
    this.job = job;
    this.worker.postMessage(job);
  }

  get jobId(): number | undefined {
    return this.job?.id;
  }

  terminate(): Promise<void> {
    void this.worker.terminate().catch(() => undefined);
    return this.exited;
  }
}

/**
 * Single-use flite workers, `poolSize` of them spawned and instantiated ahead of need so a sentence does not wait for
 * thread start-up. Each worker runs one utterance and is terminated (repeated instantiation in one thread crashes
 * Node 20; see flite-worker.ts); the pool is refilled when a sentence's audio is ready. Concurrency is not capped:
 * each concurrent sentence takes a worker (a pre-spawned one if any is idle, else a new one).
 */
export class FlitePool {
  private readonly idle: FliteWorker[] = [];
  private readonly live = new Set<FliteWorker>();
  private dir: string | undefined;
  private spawning = 0;
  private nextId = 1;
  private closed = false;
  private counts = { spawned: 0, started: 0, completed: 0, cancelled: 0, terminated: 0, failed: 0 };

  constructor(
    private readonly wasmPath: string,
    private readonly poolSize: number,
    private readonly provider: string,
    private readonly logger: Logger | undefined,
  ) {}

  stats(): FlitePoolStats {
    return { live: this.live.size, idle: this.idle.length, ...this.counts };
  }

  /** Compiles the module (once per process) and fills the pool. */
  async warm(): Promise<void> {
    await compileFlite(this.wasmPath, this.provider);
    await this.refill();
    await Promise.all(
      this.idle.map(async (w) => {
        w.hold();
        await w.ready.catch(() => undefined);
        if (this.idle.includes(w)) w.release();
      }),
    );
  }

  /**
   * Synthesizes `text` to WAV bytes in a worker. Resolves `undefined` when `signal` aborts first; the worker is
   * terminated then, so flite stops mid-utterance.
   */
  async run(text: string, voice: string, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const worker = this.idle.shift() ?? (await this.spawn());
    worker.hold();
    let outcome: 'done' | 'cancelled' | 'failed' = 'failed';
    try {
      if ((await untilAborted(worker.ready.then(() => true), signal)) === undefined) {
        outcome = 'cancelled';
        return undefined;
      }
      worker.start({ id: this.nextId++, text, voice });
      this.counts.started++;
      const wav = await untilAborted(worker.result, signal);
      outcome = wav === undefined ? 'cancelled' : 'done';
      return wav;
    } finally {
      this.counts[outcome === 'done' ? 'completed' : outcome]++;
      if (outcome === 'cancelled' && worker.jobId !== undefined) this.counts.terminated++;
      // Not awaited: the audio goes out while the thread winds down (close() waits for every live worker).
      const id = worker.jobId;
      const dir = this.dir;
      void worker.terminate().then(() => {
        // A worker stopped mid-utterance may have left part of its file behind.
        if (id !== undefined && dir !== undefined && outcome !== 'done') rmSync(join(dir, `${id}.wav`), { force: true });
      });
      // Replacements are spawned after the job, not when it takes its worker: on a busy machine a spawn competes
      // with the synthesis for CPU, and a second idle worker covers a concurrent sentence meanwhile.
      if (!this.closed) this.refillSoon();
    }
  }

  /** Counts a job whose audio was produced but not all consumed (abort or break while yielding). */
  noteCancelled(): void {
    this.counts.cancelled++;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await Promise.all([...this.live].map((w) => w.terminate()));
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private refillSoon(): void {
    this.refill().catch((e: unknown) => this.logger?.warn({ err: e }, `${this.provider}: could not pre-spawn a worker`));
  }

  /** Spawns workers until `poolSize` are idle or starting. */
  private async refill(): Promise<void> {
    const spawns: Promise<void>[] = [];
    for (let i = this.idle.length + this.spawning; i < this.poolSize && !this.closed; i++) {
      spawns.push(
        this.spawn().then((w) => {
          if (this.closed) void w.terminate();
          else this.idle.push(w);
        }),
      );
    }
    await Promise.all(spawns);
  }

  private async spawn(): Promise<FliteWorker> {
    this.spawning++;
    try {
      const module = await compileFlite(this.wasmPath, this.provider);
      if (this.closed) throw new TtsError('TTS_INVALID_OPTIONS', `${this.provider}: provider is closed`, { provider: this.provider, retryable: false });
      this.dir ??= mkdtempSync(join(tmpdir(), 'voice-flite-'));
      const worker = new FliteWorker(module, this.dir, this.provider);
      this.counts.spawned++;
      this.live.add(worker);
      void worker.exited.then(() => {
        this.live.delete(worker);
        // A pre-spawned worker that died before being taken is not handed to a job.
        const at = this.idle.indexOf(worker);
        if (at >= 0) this.idle.splice(at, 1);
      });
      return worker;
    } finally {
      this.spawning--;
    }
  }
}
