import { KernelArena } from './kernel-arena.ts';

const NO_IDS = new Int32Array(0);

/** The largest k the WebAssembly selection keeps (insertion into k slots); larger k take the TypeScript heap. */
export const KERNEL_TOP_K_LIMIT = 64;

/**
 * Next-token selection in WebAssembly SIMD over `size` logits: the k best
 * ids and the log-normalizer, without sorting the logits or writing a
 * probability per entry. Owns logits [size] and ids [KERNEL_TOP_K_LIMIT]
 * in its own memory, with the f64 its sum comes back through: 4·(size + 64) + 16 bytes, rounded up to 64 KiB.
 */
export class NextTokenKernel {
  readonly size: number;
  private readonly arena: KernelArena;
  private readonly logits: Float32Array; // [size]
  private readonly logitsOffset: number;
  private readonly ids: Int32Array; // [KERNEL_TOP_K_LIMIT]
  private readonly idsOffset: number;
  /** [1] sum_exp_into's sum, then the log-normalizer. */
  private readonly sum: Float64Array;
  private readonly sumOffset: number;

  /** Cold path: one memory and one instantiation. */
  constructor(size: number) {
    this.size = size;
    this.arena = new KernelArena([8, 4 * size, 4 * KERNEL_TOP_K_LIMIT]);
    // The f64 first: arena regions are 16-byte aligned.
    this.sumOffset = this.arena.takeBytes(8);
    this.sum = new Float64Array(this.arena.memory.buffer, this.sumOffset, 1);
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
    this.select(outIds, logits);
    return this.sum[0];
  }

  /**
   * Writes log Σ exp(logits[0 … size)) into out[0]: {@link selectInto}'s
   * normalizer, handed back through an array because a double returned
   * from (or passed to) a call that is not inlined is boxed, an allocation
   * per call that a per-step caller must not pay. Same cost; no allocation.
   */
  logNormalizerInto(out: Float64Array, logits: Float32Array): void {
    this.select(NO_IDS, logits);
    out[0] = this.sum[0];
  }

  /** selectInto, leaving the log-normalizer in sum[0]; with no ids asked for, the arg-max alone is found (it steers the exps). */
  private select(outIds: Int32Array, logits: Float32Array): void {
    const kernels = this.arena.kernels;
    const size = this.size;
    this.logits.set(logits.length === size ? logits : logits.subarray(0, size));
    const k = kernels.top_k(this.logitsOffset, size, this.idsOffset, outIds.length > 0 ? outIds.length : 1);
    for (let i = 0; i < k && i < outIds.length; i++) outIds[i] = this.ids[i];
    const best = this.ids[0];
    const max = this.logits[best];
    if (!(max > -Infinity) || max === Infinity) {
      this.sum[0] = max; // NaN, all −∞, or +∞: no finite normalizer
      return;
    }
    kernels.sum_exp_into(this.logitsOffset, size, this.logitsOffset + 4 * best, this.sumOffset);
    this.sum[0] = max + Math.log(this.sum[0]);
  }
}
