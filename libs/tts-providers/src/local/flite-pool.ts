import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { untilAborted } from '../abort';
import { TtsError } from '../tts-error';
import { compileFlite } from './flite-module';
import { FLITE_WORKER_SOURCE, type FliteJob, type FliteWorkerMessage } from './flite-worker';

export interface FlitePoolStats {
  /** Workers alive now: pre-spawned ones waiting for a job plus busy ones. */
  readonly live: number;
  /** Pre-spawned workers waiting for a job. */
  readonly idle: number;
  readonly spawned: number;
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

  constructor(module: WebAssembly.Module, dir: string, provider: string) {
    this.worker = new Worker(FLITE_WORKER_SOURCE, { eval: true, workerData: { module, dir }, stdout: false });
    const failure = (message: string, cause?: unknown, exitCode?: number): TtsError =>
      new TtsError('TTS_PROVIDER_ERROR', `${provider}: ${message}`, { provider, retryable: exitCode === undefined, cause });
    let onReady!: () => void;
    let onResult!: (wav: Uint8Array) => void;
    let onFail!: (e: TtsError) => void;
    this.ready = new Promise<void>((resolve) => (onReady = resolve));
    this.result = new Promise<Uint8Array>((resolve, reject) => {
      onResult = resolve;
      onFail = reject;
    });
    // Both are awaited only by the job that takes this worker; an idle worker's failure must not be unhandled.
    this.result.catch(() => undefined);
    // `ready` settles on the first message or on the worker's end, whichever comes first.
    this.ready = Promise.race([this.ready, this.result.then(() => undefined)]);
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

  start(job: FliteJob): void {
    this.job = job;
    this.worker.ref();
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
 * Single-use flite workers, `poolSize` of them spawned and instantiated ahead of need so a sentence does not wait
 * for thread start-up. Each worker runs one utterance and is terminated (offline-providers.md gotcha 2), and a
 * replacement is spawned as soon as one is taken. Concurrency is not capped: each concurrent sentence takes a worker.
 */
export class FlitePool {
  private readonly idle: FliteWorker[] = [];
  private readonly live = new Set<FliteWorker>();
  private dir: string | undefined;
  private spawning = 0;
  private nextId = 1;
  private closed = false;
  private counts = { spawned: 0, completed: 0, cancelled: 0, terminated: 0, failed: 0 };

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
    await Promise.all(this.idle.map((w) => w.ready.catch(() => undefined)));
  }

  /**
   * Synthesizes `text` to WAV bytes in a worker. Resolves `undefined` when `signal` aborts first; the worker is
   * terminated then, so flite stops mid-utterance.
   */
  async run(text: string, voice: string, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const worker = this.idle.shift() ?? (await this.spawn());
    void this.refill().catch((e: unknown) => this.logger?.warn({ err: e }, `${this.provider}: could not pre-spawn a worker`));
    let outcome: 'done' | 'cancelled' | 'failed' = 'failed';
    try {
      const job: FliteJob = { id: this.nextId++, text, voice };
      if ((await untilAborted(worker.ready.then(() => true), signal)) === undefined) {
        outcome = 'cancelled';
        return undefined;
      }
      worker.start(job);
      const wav = await untilAborted(worker.result, signal);
      outcome = wav === undefined ? 'cancelled' : 'done';
      return wav;
    } finally {
      if (outcome === 'cancelled') {
        this.counts.cancelled++;
        if (worker.jobId !== undefined) this.counts.terminated++;
      } else if (outcome === 'done') this.counts.completed++;
      else this.counts.failed++;
      const id = worker.jobId;
      const dir = this.dir;
      await worker.terminate();
      // A worker stopped mid-utterance may have left part of its file behind.
      if (id !== undefined && dir !== undefined && outcome !== 'done') rmSync(join(dir, `${id}.wav`), { force: true });
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

  private async refill(): Promise<void> {
    const wanted = this.poolSize - this.idle.length - this.spawning;
    const spawns: Promise<void>[] = [];
    for (let i = 0; i < wanted; i++) spawns.push(this.spawn().then((w) => void (this.closed ? w.terminate() : this.idle.push(w))));
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
      void worker.exited.then(() => this.live.delete(worker));
      return worker;
    } finally {
      this.spawning--;
    }
  }
}
