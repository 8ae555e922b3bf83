import { instantiateKernels, type KernelExports } from './kernel-module.ts';

/**
 * The WebAssembly SIMD matrix-matrix product for the trainer, with exactly
 * the signature of gemmNTInto in src/math/gemm.ts, so the trainer can switch
 * by passing `createWasmGemm().gemmNTInto` where it calls gemmNTInto:
 *
 *   out[i, j] = (accumulate ? out[i, j] : 0) + Σ_p a[i, p] · b[j, p]
 *
 * Each call copies the a and b blocks into its own WebAssembly memory
 * (padded: m to 4, n to 2, k to 4), multiplies there, and adds or writes the
 * result back: (m + n)·k + m·n copies against m·n·k multiply-adds, so it pays
 * for itself once n and m are past a few dozen. The memory grows (cold path)
 * the first time a larger product comes; after that a call allocates nothing.
 * Not reentrant: one instance per thread.
 */
export class WasmGemm {
  private memory: WebAssembly.Memory;
  private kernels: KernelExports;
  private floats: Float32Array;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    this.kernels = instantiateKernels(this.memory);
    this.floats = new Float32Array(this.memory.buffer);
  }

  /** As gemmNTInto (src/math/gemm.ts): out = a·bᵀ (+ out when accumulate). Returns out. */
  readonly gemmNTInto = (
    out: Float32Array,
    outOffset: number,
    ldOut: number,
    a: Float32Array,
    aOffset: number,
    lda: number,
    b: Float32Array,
    bOffset: number,
    ldb: number,
    m: number,
    n: number,
    k: number,
    accumulate: boolean,
  ): Float32Array => {
    if (m === 0 || n === 0) return out;
    const mPadded = (m + 3) & ~3;
    const nPadded = (n + 1) & ~1;
    const kPadded = (k + 3) & ~3;
    const aStart = 0;
    const bStart = mPadded * kPadded;
    const outStart = bStart + nPadded * kPadded;
    this.reserve(outStart + mPadded * nPadded);
    const f = this.floats;
    copyRows(f, aStart, kPadded, a, aOffset, lda, m, k, mPadded);
    copyRows(f, bStart, kPadded, b, bOffset, ldb, n, k, nPadded);
    this.kernels.gemm_nt(outStart * 4, aStart * 4, bStart * 4, mPadded, nPadded, kPadded);
    for (let i = 0; i < m; i++) {
      const from = outStart + i * nPadded;
      const to = outOffset + i * ldOut;
      if (accumulate) for (let j = 0; j < n; j++) out[to + j] += f[from + j];
      else for (let j = 0; j < n; j++) out[to + j] = f[from + j];
    }
    return out;
  };

  /** Grows the memory to hold `floats` floats (cold path: the views are remade). */
  private reserve(floats: number): void {
    const bytes = floats * 4;
    if (bytes <= this.memory.buffer.byteLength) return;
    this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / 65536));
    this.floats = new Float32Array(this.memory.buffer);
  }
}

/** Copies rows [rows × cols] (stride `stride` from `offset`) into target rows of `width` floats, zeroing the padding. */
function copyRows(
  target: Float32Array,
  targetStart: number,
  width: number,
  source: Float32Array,
  offset: number,
  stride: number,
  rows: number,
  cols: number,
  paddedRows: number,
): void {
  for (let r = 0; r < rows; r++) {
    const to = targetStart + r * width;
    const from = offset + r * stride;
    for (let c = 0; c < cols; c++) target[to + c] = source[from + c];
    for (let c = cols; c < width; c++) target[to + c] = 0;
  }
  for (let r = rows; r < paddedRows; r++) target.fill(0, targetStart + r * width, targetStart + (r + 1) * width);
}

/** A new WebAssembly GEMM (its own memory). Cold path. */
export function createWasmGemm(): WasmGemm {
  return new WasmGemm();
}
