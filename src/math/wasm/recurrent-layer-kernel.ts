import { KernelArena } from './kernel-arena.ts';
import type { Q4Parts } from './q4-packing.ts';
import type { Q8KernelMode, Q8Parts } from './q8-matvec-kernel.ts';
import { F32RecurrentWeights, planF32RecurrentWeights } from './recurrent-f32-weights.ts';
import { planQ4RecurrentWeights, type Q4RecurrentWeights } from './recurrent-q4-weights.ts';
import { planQ8RecurrentWeights, type Q8RecurrentWeights } from './recurrent-q8-weights.ts';
import type { RecurrentWeights, RecurrentWeightsPlan } from './recurrent-weights.ts';

/** Cell kinds as the WebAssembly kernel numbers them (small integers keep the step monomorphic); LstmHard: hard-sigmoid gates. */
export const LayerKernelKind = { Lstm: 0, RnnTanh: 1, RnnRelu: 2, LstmHard: 3 } as const;
/** One of {@link LayerKernelKind}'s values. */
export type LayerKernelKind = (typeof LayerKernelKind)[keyof typeof LayerKernelKind];

/**
 * One recurrent layer stepped by the WebAssembly SIMD kernels, with f32,
 * int8 or 4-bit weights. The fused weights [G·H × (I + H)] are copied once into the
 * kernel's own memory, in their dtype's layout ({@link weights}): f32 packed
 * in panels of 8 rows per 4-column block (a copy in addition to the matrix's
 * own array), int8 row-major with rows padded to 16 columns, 4-bit nibbles
 * row-major with rows padded to 32 columns and the scales as the Q4Matrix
 * keeps them (the Q8Matrix or Q4Matrix adopts these, so the weights are held
 * once); next to them lives one step's scratch (xh, gates, c; the int8 and
 * 4-bit products' own scratch, xh as int16 and de-interleaved, sits with
 * their weights). Every session of a model shares the kernel: a step
 * copies the session's h and c in, makes one call, and copies them back, so
 * a session's own memory stays its state alone. Steps are synchronous, so
 * sessions never interleave inside the scratch. One class for every kind
 * and dtype keeps the session's call site monomorphic; the dtype is one
 * interface call on {@link weights}.
 */
export class RecurrentLayerKernel<Weights extends RecurrentWeights = RecurrentWeights> {
  readonly kind: LayerKernelKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /**
   * The weights in the kernel's memory and the step exports for their dtype:
   * F32RecurrentWeights, Q8RecurrentWeights or Q4RecurrentWeights (whose
   * data the Q8Matrix or Q4Matrix adopts).
   */
  readonly weights: Weights;
  private readonly arena: KernelArena;
  private readonly biasOffset: number;
  private readonly xhOffset: number;
  private readonly gatesOffset: number;
  private readonly cOffset: number;
  /** [I] the layer input part of xh. */
  private readonly x: Float32Array;
  /** [H] the h part of xh (the kernel writes the new h there). */
  private readonly hPart: Float32Array;
  /** [H] the cell state (LSTM). */
  private readonly c: Float32Array;
  /** [rows'] the bias as the kernel reads it. */
  private readonly biasView: Float32Array;

  /**
   * A kernel over f32 weight [G·H × (I + H)] and bias [G·H], packed into a new memory.
   * Memory: 4·(rows'·cols' + 2·rows' + cols' + H) bytes, rows' = G·H rounded up
   * to 8, cols' = I + H rounded up to 4, in 64 KiB pages. Cold path.
   */
  static fromF32(kind: LayerKernelKind, inputSize: number, hiddenSize: number, weight: Float32Array, bias: Float32Array): RecurrentLayerKernel<F32RecurrentWeights> {
    const plan = planF32RecurrentWeights(gateRows(kind, hiddenSize), inputSize + hiddenSize, weight);
    return new RecurrentLayerKernel(kind, inputSize, hiddenSize, plan, bias);
  }

  /**
   * A kernel over an int8 weight matrix (Q8Matrix parts) and f32 bias, or null
   * when its scale blocks are not multiples of 16 columns. Memory: rows'·cols'
   * bytes of weights (rows' = G·H rounded up to 4, cols' = I + H rounded up to
   * 16), the scales, and 6·cols' + 8·rows' + 4·H bytes of scratch, in 64 KiB
   * pages. Cold path.
   */
  static fromQ8(
    kind: LayerKernelKind, inputSize: number, hiddenSize: number, weight: Q8Parts, bias: Float32Array, mode: Q8KernelMode,
  ): RecurrentLayerKernel<Q8RecurrentWeights> | null {
    const plan = planQ8RecurrentWeights(gateRows(kind, hiddenSize), inputSize + hiddenSize, weight, mode);
    return plan === null ? null : new RecurrentLayerKernel(kind, inputSize, hiddenSize, plan, bias);
  }

  /**
   * A kernel over a 4-bit weight matrix (Q4Matrix parts) and f32 bias, or
   * null when its scale blocks are not multiples of 32 columns. Memory:
   * rows'·cols'/2 bytes of nibbles (rows' = G·H rounded up to 4, cols' = I + H
   * rounded up to 32), the scales, and 10·cols' + 8·rows' + 4·H bytes of
   * scratch, in 64 KiB pages. Cold path.
   */
  static fromQ4(
    kind: LayerKernelKind, inputSize: number, hiddenSize: number, weight: Q4Parts, bias: Float32Array, mode: Q8KernelMode,
  ): RecurrentLayerKernel<Q4RecurrentWeights> | null {
    const plan = planQ4RecurrentWeights(gateRows(kind, hiddenSize), inputSize + hiddenSize, weight, mode);
    return plan === null ? null : new RecurrentLayerKernel(kind, inputSize, hiddenSize, plan, bias);
  }

  /** Sizes one arena for the plan's regions and the scratch, builds the weights there, then takes the scratch. */
  private constructor(kind: LayerKernelKind, inputSize: number, hiddenSize: number, plan: RecurrentWeightsPlan<Weights>, bias: Float32Array) {
    const { paddedRows, paddedCols } = plan;
    this.kind = kind;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.arena = new KernelArena([...plan.byteCounts, 4 * paddedRows, 4 * paddedCols, 4 * paddedRows, 4 * hiddenSize]);
    this.weights = plan.build(this.arena);
    const b = this.arena.takeFloat32(paddedRows);
    b.view.set(bias);
    this.biasView = b.view;
    // Zeroed, and xh's padding columns stay zero: the kernels multiply them by the zero padding of W.
    const xh = this.arena.takeFloat32(paddedCols);
    const gates = this.arena.takeFloat32(paddedRows);
    const c = this.arena.takeFloat32(hiddenSize);
    this.biasOffset = b.offset;
    this.xhOffset = xh.offset;
    this.gatesOffset = gates.offset;
    this.cOffset = c.offset;
    this.x = xh.view.subarray(0, inputSize);
    this.hPart = xh.view.subarray(inputSize, inputSize + hiddenSize);
    this.c = c.view;
  }

  /**
   * Packs new f32 weights [G·H × (I + H)] and bias [G·H] in place of the
   * current ones: for a model whose weights are adapted while it runs (one
   * session's private copy under dynamic evaluation). Throws RangeError on an
   * int8 or 4-bit kernel. Cost: one pass over the weights; no allocation.
   */
  refreshF32(weight: Float32Array, bias: Float32Array): void {
    if (!(this.weights instanceof F32RecurrentWeights)) throw new RangeError('refreshF32 needs a kernel made by fromF32');
    this.weights.repack(weight);
    this.biasView.set(bias);
  }

  /** Bytes of WebAssembly memory this layer holds (packed weights and one step's scratch). */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /**
   * Advances one step: reads input [I], updates h [H] and c [H] (LSTM; null
   * otherwise) in place. Cost: G·H·(I + H) multiply-adds in SIMD and a few
   * copies of H floats; no allocation.
   */
  stepInto(h: Float32Array, c: Float32Array | null, input: Float32Array): Float32Array {
    this.x.set(input);
    this.hPart.set(h);
    const hOffset = 4 * this.inputSize;
    if (this.kind === LayerKernelKind.Lstm || this.kind === LayerKernelKind.LstmHard) {
      const hard = this.kind === LayerKernelKind.LstmHard ? 1 : 0;
      this.c.set(c as Float32Array);
      this.weights.lstmStep(this.biasOffset, this.xhOffset, this.gatesOffset, this.cOffset, this.hiddenSize, hOffset, hard);
      (c as Float32Array).set(this.c);
    } else {
      const relu = this.kind === LayerKernelKind.RnnRelu ? 1 : 0;
      this.weights.rnnStep(this.biasOffset, this.xhOffset, this.gatesOffset, this.hiddenSize, hOffset, relu);
    }
    h.set(this.hPart);
    return h;
  }
}

function gateRows(kind: LayerKernelKind, hiddenSize: number): number {
  return (kind === LayerKernelKind.Lstm || kind === LayerKernelKind.LstmHard ? 4 : 1) * hiddenSize;
}
