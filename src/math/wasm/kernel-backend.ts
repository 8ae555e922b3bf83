import { wasmSimdSupported } from './kernel-module.ts';

/** Which kernels new sessions step with: the WebAssembly SIMD build or the TypeScript fallback. */
export type KernelBackend = 'wasm' | 'typescript';

let requested: KernelBackend | 'auto' = 'auto';

/**
 * Chooses the kernels for sessions made from now on ('auto': WebAssembly SIMD
 * where the engine has it, else TypeScript). Sessions already made keep theirs.
 * Returns the backend now in effect ('wasm' without SIMD support gives
 * 'typescript'). For tests, benchmarks and debugging; the default is 'auto'.
 */
export function setKernelBackend(backend: KernelBackend | 'auto'): KernelBackend {
  requested = backend;
  return kernelBackend();
}

/** The backend a session made now would use. Cost: a cached feature check. */
export function kernelBackend(): KernelBackend {
  if (requested === 'typescript') return 'typescript';
  return wasmSimdSupported() ? 'wasm' : 'typescript';
}
