import type { KernelArena } from './kernel-arena.ts';

/**
 * A fused LSTM/Elman layer's weight [G·H × (I + H)] in a kernel's memory,
 * in one dtype's layout, with the step exports that read that layout.
 * recurrent-f32-weights.ts, recurrent-q8-weights.ts and
 * recurrent-q4-weights.ts implement it, so RecurrentLayerKernel makes one
 * call per step whatever the dtype. The step's scratch (bias, xh, gates, c)
 * is the kernel's, the same for every dtype: its byte offsets come with
 * each call.
 */
export interface RecurrentWeights {
  /**
   * One LSTM step: gates [rows'] = bias + W·xh, then c [H] and h updated,
   * the new h written into xh from byte hOffset of it (hard 1: hard-sigmoid
   * gates). All but H, hOffset and hard are byte offsets into the kernel's
   * memory. Cost: one kernel call, G·H·(I + H) multiply-adds; no allocation.
   */
  lstmStep(bias: number, xh: number, gates: number, c: number, hiddenSize: number, hOffset: number, hard: number): void;
  /**
   * One Elman step: pre [rows'] = bias + W·xh, then h = tanh(pre) (relu 0)
   * or ReLU(pre) (relu 1) into xh from byte hOffset of it. Cost: one kernel
   * call, H·(I + H) multiply-adds; no allocation.
   */
  rnnStep(bias: number, xh: number, pre: number, hiddenSize: number, hOffset: number, relu: number): void;
}

/**
 * A layer's weights laid out but not yet placed: the kernel sizes its arena
 * from {@link byteCounts} and the scratch that {@link paddedRows} and
 * {@link paddedCols} call for, then {@link build} packs the weights.
 */
export interface RecurrentWeightsPlan<Weights extends RecurrentWeights> {
  /** G·H rounded up to the rows the kernel takes at a time: the floats of bias and gates. */
  readonly paddedRows: number;
  /** I + H rounded up to the columns the kernel loads at a time: the floats of xh (the padding stays zero). */
  readonly paddedCols: number;
  /** Bytes of the regions build takes from the arena, in order. */
  readonly byteCounts: readonly number[];
  /** Takes its regions from the arena, before the kernel's scratch, and packs the weights into them. Cold path: one pass over the weights. */
  build(arena: KernelArena): Weights;
}
