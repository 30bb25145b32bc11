import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SttError } from '../errors';

/** The bits of the WebAssembly JS API used here (lib "es2022" and @types/node 20 do not declare them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The libfvad C API (https://github.com/dpirch/libfvad, include/fvad.h) as exported by @echogarden/fvad-wasm. */
export interface FvadModule {
  readonly memory: WasmMemory;
  fvad_new(): number;
  fvad_free(inst: number): void;
  fvad_reset(inst: number): void;
  /** 0..3, increasingly aggressive about calling audio non-speech. Returns 0, or -1 for an invalid mode. */
  fvad_set_mode(inst: number, mode: number): number;
  /** 8000, 16000, 32000 or 48000. Returns 0, or -1 for an invalid rate. */
  fvad_set_sample_rate(inst: number, rate: number): number;
  /** 1 speech, 0 non-speech, -1 invalid frame length (10, 20 or 30 ms only). */
  fvad_process(inst: number, frame: number, length: number): number;
  malloc(bytes: number): number;
  free(ptr: number): void;
}

const PROVIDER = 'fvad';
let loading: Promise<FvadModule> | undefined;

/**
 * Loads the fvad WASM once per process. The package ships only an ES module whose glue reads `import.meta.url`,
 * which neither `require()` under Jest nor CommonJS builds can load, so we instantiate `fvad.wasm` ourselves.
 * Its exports are minified (`e`, `f`, ...): the name map is read from the package's own glue file
 * (`Module["_fvad_new"]=...wasmExports["e"]`), so a rebuilt package with new letters still loads.
 */
export function loadFvad(): Promise<FvadModule> {
  loading ??= instantiate().catch((cause: unknown) => {
    loading = undefined;
    throw new SttError('STT_VAD_UNAVAILABLE', 'fvad: could not load @echogarden/fvad-wasm', { provider: PROVIDER, retryable: false, cause });
  });
  return loading;
}

async function instantiate(): Promise<FvadModule> {
  const dir = dirname(require.resolve('@echogarden/fvad-wasm/package.json'));
  const [glue, wasm] = await Promise.all([readFile(join(dir, 'fvad.js'), 'utf8'), readFile(join(dir, 'fvad.wasm'))]);

  const exportOf = (symbol: string): string => {
    const m = new RegExp(`Module\\["${symbol}"\\]=[^;]*?wasmExports\\["(\\w+)"\\]`).exec(glue);
    if (!m) throw new Error(`fvad glue: no export for ${symbol}`);
    return m[1];
  };
  const memoryName = /wasmMemory=wasmExports\["(\w+)"\]/.exec(glue)?.[1];
  const ctorsName = /___wasm_call_ctors=\(\)=>\(___wasm_call_ctors=wasmExports\["(\w+)"\]\)/.exec(glue)?.[1];
  const importsMatch = /wasmImports=\{([^}]*)\}/.exec(glue);
  const importModule = /getWasmImports\(\)\{return\{(\w+):wasmImports\}\}/.exec(glue)?.[1];
  if (!memoryName || !importsMatch || !importModule) throw new Error('fvad glue: unexpected layout');

  const heap: { memory?: WasmMemory } = {}; // set once instantiated; the resize import needs it
  // The two functions the C code imports: an assert failure and heap growth (Emscripten ALLOW_MEMORY_GROWTH).
  const env: Record<string, (...args: number[]) => number | void> = {};
  for (const pair of importsMatch[1].split(',')) {
    const [key, fn] = pair.split(':');
    if (fn === '___assert_fail') {
      env[key] = () => {
        throw new Error('fvad: assertion failed inside the WASM module');
      };
    } else if (fn === '_emscripten_resize_heap') {
      env[key] = (requested: number) => {
        const memory = heap.memory;
        if (!memory) return 0;
        const pages = Math.ceil(((requested >>> 0) - memory.buffer.byteLength) / 65536);
        try {
          memory.grow(pages);
          return 1;
        } catch {
          return 0;
        }
      };
    } else {
      throw new Error(`fvad glue: unknown import ${fn}`);
    }
  }
  const { instance } = await wasmApi().instantiate(wasm, { [importModule]: env });
  const x = instance.exports;
  const memory = (heap.memory = x[memoryName] as WasmMemory);
  if (ctorsName && typeof x[ctorsName] === 'function') (x[ctorsName] as () => void)();
  const fn = <T>(symbol: string): T => {
    const f = x[exportOf(symbol)];
    if (typeof f !== 'function') throw new Error(`fvad: ${symbol} is not a function`);
    return f as T;
  };
  return {
    memory,
    fvad_new: fn('_fvad_new'),
    fvad_free: fn('_fvad_free'),
    fvad_reset: fn('_fvad_reset'),
    fvad_set_mode: fn('_fvad_set_mode'),
    fvad_set_sample_rate: fn('_fvad_set_sample_rate'),
    fvad_process: fn('_fvad_process'),
    malloc: fn('_malloc'),
    free: fn('_free'),
  };
}
