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

let q8Mode: 'integer' | 'float' = 'integer';

/**
 * How new sessions multiply int8 (q8) weights in WebAssembly: 'integer'
 * (default: activations quantized to int16 per step, integer dot products;
 * fastest, adds about 1e-5 relative error) or 'float' (weights widened to f32;
 * matches the TypeScript q8 kernel to f32 rounding). For benchmarks and
 * callers that need the exact variant.
 */
export function setQ8KernelMode(mode: 'integer' | 'float'): void {
  q8Mode = mode;
}

/** The int8 multiplication mode new sessions use. */
export function q8KernelMode(): 'integer' | 'float' {
  return q8Mode;
}
