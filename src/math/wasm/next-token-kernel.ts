import { KernelArena } from './kernel-arena.ts';

/** The largest k the WebAssembly selection keeps (insertion into k slots); larger k take the TypeScript heap. */
export const KERNEL_TOP_K_LIMIT = 64;

/**
 * Next-token selection in WebAssembly SIMD over `size` logits: the k best
 * ids and the log-normalizer, without sorting the logits or writing a
 * probability per entry. Owns logits [size] and ids [KERNEL_TOP_K_LIMIT]
 * in its own memory: 4·(size + 64) bytes, rounded up to 64 KiB.
 */
export class NextTokenKernel {
  readonly size: number;
  private readonly arena: KernelArena;
  private readonly logits: Float32Array; // [size]
  private readonly logitsOffset: number;
  private readonly ids: Int32Array; // [KERNEL_TOP_K_LIMIT]
  private readonly idsOffset: number;

  /** Cold path: one memory and one instantiation. */
  constructor(size: number) {
    this.size = size;
    this.arena = new KernelArena([4 * size, 4 * KERNEL_TOP_K_LIMIT]);
    const logits = this.arena.takeFloat32(size);
    const ids = this.arena.takeBytes(4 * KERNEL_TOP_K_LIMIT);
    this.logits = logits.view;
    this.logitsOffset = logits.offset;
    this.ids = new Int32Array(this.arena.memory.buffer, ids, KERNEL_TOP_K_LIMIT);
    this.idsOffset = ids;
  }

  /** Bytes of WebAssembly memory this kernel holds. */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /**
   * Writes the indices of the outIds.length (≤ KERNEL_TOP_K_LIMIT, ≤ size)
   * largest logits[0 … size) into outIds, best first (ties: lower index
   * first), and returns log Σ exp(logits) (the log-normalizer: the
   * probability of id is exp(logits[id] − it)). Cost: a copy of the logits,
   * size/4 SIMD compares, size SIMD exps; no allocation.
   */
  selectInto(outIds: Int32Array, logits: Float32Array): number {
    const kernels = this.arena.kernels;
    const size = this.size;
    this.logits.set(logits.length === size ? logits : logits.subarray(0, size));
    const k = kernels.top_k(this.logitsOffset, size, this.idsOffset, outIds.length);
    for (let i = 0; i < k; i++) outIds[i] = this.ids[i];
    const max = this.logits[this.ids[0]];
    if (!(max > -Infinity) || max === Infinity) return max; // NaN, all −∞, or +∞: no finite normalizer
    return max + Math.log(kernels.sum_exp(this.logitsOffset, size, max));
  }
}
