/** The bits of the WebAssembly JS API used here (lib "es2022" and @types/node 20 do not declare them). */
export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

export interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<object>;
  readonly Module: { imports(module: WasmModule): { module: string; name: string; kind: string }[] };
}

export const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
