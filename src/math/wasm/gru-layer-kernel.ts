import { BLOCK_COLUMNS, f32PanelIndex, PANEL_ROWS } from './f32-panels.ts';
import { KernelArena } from './kernel-arena.ts';
import type { GateProduct, GateProducts, GateProductsPlan } from './gru-products.ts';
import { planQ4GateProducts } from './gru-q4-products.ts';
import { planQ8GateProducts } from './gru-q8-products.ts';
import type { Q4Parts } from './q4-packing.ts';
import type { Q8KernelMode, Q8Parts } from './q8-matvec-kernel.ts';

/**
 * One GRU layer (src/cells/gru-cell.ts) stepped by the WebAssembly SIMD
 * kernels, with f32, int8 or 4-bit weights. The [3H × (I + H)] weight is
 * packed once into two matrices, the input columns [3S × I] and the hidden
 * ones [3S × H], each gate block (r, z, n) padded to S rows (H rounded up
 * to 8) so a block starts on a panel: the reset-before variant multiplies
 * the n rows alone, by r ⊙ h. Next to them live the biases b_ih and b_hh and
 * one step's scratch (x, h, r ⊙ h, both products). Every session of a model
 * shares it: a step copies the session's h in, runs, and copies it back.
 * f32: one call per step; int8 and 4-bit: the products through matvec_q8 or
 * matvec_q4 (gru-q8-products.ts, gru-q4-products.ts) with the element-wise
 * passes between, four or five calls. The packed copy is the kernel's own:
 * the Q8Matrix or Q4Matrix keeps its array (split columns and padded gate
 * blocks are not a layout it reads), so a quantized GRU layer's weights
 * are held twice.
 */
export class GruLayerKernel {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** True for PyTorch's variant (cell `gru`), false for `gru-reset-before`. */
  readonly resetAfter: boolean;
  private readonly arena: KernelArena;
  /** H rounded up to 8: rows per gate block in the packed matrices and the products. */
  private readonly S: number;
  /** f32: padded columns of the input and hidden matrices (multiples of 4); int8 and 4-bit: of x and h (multiples of 16 and 32). */
  private readonly colsX: number;
  private readonly colsH: number;
  /** f32 only: byte offsets of the packed matrices. */
  private readonly inputWeights: number;
  private readonly hiddenWeights: number;
  private readonly inputBias: number;
  private readonly hiddenBias: number;
  private readonly xOffset: number;
  private readonly hOffset: number;
  private readonly rhOffset: number;
  private readonly gxOffset: number;
  private readonly ghOffset: number;
  /** [I] the layer input region. */
  private readonly x: Float32Array;
  /** [H] the h region (the kernel writes the new h there). */
  private readonly h: Float32Array;
  private readonly inputBiasView: Float32Array;
  private readonly hiddenBiasView: Float32Array;
  /** f32 only: the packed matrices, for {@link refreshF32}. */
  private readonly packedInput: Float32Array | null;
  private readonly packedHidden: Float32Array | null;
  /** int8 and 4-bit: the two products (null for f32, which runs gru_step). */
  private readonly inputProduct: GateProduct | null;
  private readonly hiddenProduct: GateProduct | null;
  /** 1: the gates r and z take the hard sigmoid (set once by the factories). */
  private hard = 0;

  /**
   * A kernel over f32 weight [3H × (I + H)] and bias [6H] = [b_ih | b_hh].
   * Memory: 4·(3S·(I' + H') + 12S + I' + 2H') bytes (S = H rounded up to 8,
   * I' and H' rounded up to 4), in 64 KiB pages. Cold path.
   */
  static fromF32(inputSize: number, hiddenSize: number, weight: Float32Array, bias: Float32Array, resetAfter: boolean, hardGates = false): GruLayerKernel {
    const S = roundUp(hiddenSize, PANEL_ROWS);
    const colsX = roundUp(inputSize, BLOCK_COLUMNS);
    const colsH = roundUp(hiddenSize, BLOCK_COLUMNS);
    const arena = new KernelArena([4 * 3 * S * colsX, 4 * 3 * S * colsH, ...scratchBytes(S, colsX, colsH)]);
    const input = arena.takeFloat32(3 * S * colsX);
    const hidden = arena.takeFloat32(3 * S * colsH);
    const kernel = new GruLayerKernel(inputSize, hiddenSize, resetAfter, arena, S, colsX, colsH, input.offset, hidden.offset, input.view, hidden.view, null);
    kernel.hard = hardGates ? 1 : 0;
    kernel.refreshF32(weight, bias);
    return kernel;
  }

  /**
   * A kernel over an int8 weight [3H × (I + H)] (Q8Matrix parts) and f32 bias
   * [6H], or null when the products' scale blocks cannot be packed for the
   * int8 kernels: one scale per row works; blocks must be a multiple of 16
   * columns and start the hidden columns (I a multiple of the block), else
   * the TypeScript kernel runs. Memory: 3S·(I' + H') bytes of weights
   * (I', H' rounded up to 16), the scales, and the f32 scratch. Cold path.
   */
  static fromQ8(inputSize: number, hiddenSize: number, weight: Q8Parts, bias: Float32Array, mode: Q8KernelMode, resetAfter: boolean, hardGates = false): GruLayerKernel | null {
    const S = roundUp(hiddenSize, PANEL_ROWS);
    const plan = planQ8GateProducts(inputSize, hiddenSize, S, weight, mode);
    return plan === null ? null : GruLayerKernel.fromPlan(inputSize, hiddenSize, S, plan, bias, resetAfter, hardGates);
  }

  /**
   * A kernel over a 4-bit weight [3H × (I + H)] (Q4Matrix parts) and f32
   * bias [6H], or null as for {@link fromQ8} with the 4-bit kernel's blocks:
   * one scale per row works; blocks must be a multiple of 32 columns and
   * start the hidden columns, else the TypeScript kernel runs. The Q4Matrix
   * keeps its own array (see the class doc). Memory: 3S·(I' + H')/2 bytes of
   * nibbles (I', H' rounded up to 32), the scales, and the f32 scratch. Cold path.
   */
  static fromQ4(inputSize: number, hiddenSize: number, weight: Q4Parts, bias: Float32Array, mode: Q8KernelMode, resetAfter: boolean, hardGates = false): GruLayerKernel | null {
    const S = roundUp(hiddenSize, PANEL_ROWS);
    const plan = planQ4GateProducts(inputSize, hiddenSize, S, weight, mode);
    return plan === null ? null : GruLayerKernel.fromPlan(inputSize, hiddenSize, S, plan, bias, resetAfter, hardGates);
  }

  /** A quantized kernel: the plan's regions, then the scratch, in one arena. Cold path. */
  private static fromPlan(inputSize: number, hiddenSize: number, S: number, plan: GateProductsPlan, bias: Float32Array, resetAfter: boolean, hardGates: boolean): GruLayerKernel {
    const arena = new KernelArena([...plan.byteCounts, ...scratchBytes(S, plan.colsX, plan.colsH)]);
    const products = plan.build(arena);
    const kernel = new GruLayerKernel(inputSize, hiddenSize, resetAfter, arena, S, plan.colsX, plan.colsH, 0, 0, null, null, products);
    kernel.hard = hardGates ? 1 : 0;
    kernel.setBias(bias);
    return kernel;
  }

  /** Takes the scratch regions after the weights already taken from the arena. */
  private constructor(
    inputSize: number,
    hiddenSize: number,
    resetAfter: boolean,
    arena: KernelArena,
    S: number,
    colsX: number,
    colsH: number,
    inputWeights: number,
    hiddenWeights: number,
    packedInput: Float32Array | null,
    packedHidden: Float32Array | null,
    products: GateProducts | null,
  ) {
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.resetAfter = resetAfter;
    this.arena = arena;
    this.S = S;
    this.colsX = colsX;
    this.colsH = colsH;
    this.inputWeights = inputWeights;
    this.hiddenWeights = hiddenWeights;
    this.packedInput = packedInput;
    this.packedHidden = packedHidden;
    this.inputProduct = products === null ? null : products.input;
    this.hiddenProduct = products === null ? null : products.hidden;
    // Zeroed; the padding of x, h and r ⊙ h stays zero (see kernels.wat).
    const bx = arena.takeFloat32(3 * S);
    const bh = arena.takeFloat32(3 * S);
    const x = arena.takeFloat32(colsX);
    const h = arena.takeFloat32(colsH);
    const rh = arena.takeFloat32(colsH);
    const gx = arena.takeFloat32(3 * S);
    const gh = arena.takeFloat32(3 * S);
    this.inputBias = bx.offset;
    this.hiddenBias = bh.offset;
    this.inputBiasView = bx.view;
    this.hiddenBiasView = bh.view;
    this.xOffset = x.offset;
    this.hOffset = h.offset;
    this.rhOffset = rh.offset;
    this.gxOffset = gx.offset;
    this.ghOffset = gh.offset;
    this.x = x.view.subarray(0, inputSize);
    this.h = h.view.subarray(0, hiddenSize);
  }

  /**
   * Packs new f32 weights [3H × (I + H)] and bias [6H] in place of the
   * current ones (for weights adapted while the model runs). Throws
   * RangeError on an int8 or 4-bit kernel. Cost: one pass over the weights; no allocation.
   */
  refreshF32(weight: Float32Array, bias: Float32Array): void {
    if (this.packedInput === null || this.packedHidden === null) throw new RangeError('refreshF32 needs a kernel made by fromF32');
    const I = this.inputSize;
    const H = this.hiddenSize;
    packGateColumnsF32(this.packedInput, this.colsX, weight, I + H, H, this.S, 0, I);
    packGateColumnsF32(this.packedHidden, this.colsH, weight, I + H, H, this.S, I, H);
    this.setBias(bias);
  }

  /** Bytes of WebAssembly memory this layer holds (packed weights and one step's scratch). */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /**
   * Advances one step: reads input [I], updates h [H] in place (c is unused:
   * a GRU has none). Cost: 3H·(I + H) multiply-adds in SIMD and a few copies
   * of H floats; no allocation.
   */
  stepInto(h: Float32Array, _c: Float32Array | null, input: Float32Array): Float32Array {
    this.x.set(input);
    this.h.set(h);
    const kernels = this.arena.kernels;
    const resetAfter = this.resetAfter ? 1 : 0;
    const inputProduct = this.inputProduct;
    const hiddenProduct = this.hiddenProduct;
    if (inputProduct === null || hiddenProduct === null) {
      kernels.gru_step(
        this.inputWeights, this.hiddenWeights, this.inputBias, this.hiddenBias, this.xOffset, this.hOffset, this.rhOffset,
        this.gxOffset, this.ghOffset, this.S, this.colsX, this.colsH, resetAfter, this.hard,
      );
    } else {
      const S = this.S;
      inputProduct.multiply(0, 3 * S, this.xOffset, this.inputBias, this.gxOffset);
      if (resetAfter === 1) {
        hiddenProduct.multiply(0, 3 * S, this.hOffset, this.hiddenBias, this.ghOffset);
      } else {
        hiddenProduct.multiply(0, 2 * S, this.hOffset, this.hiddenBias, this.ghOffset);
        kernels.gru_reset(this.gxOffset, this.ghOffset, this.hOffset, this.rhOffset, roundUp(this.hiddenSize, BLOCK_COLUMNS), this.hard);
        // The n rows (from 2S on) over r ⊙ h, into the n block of gh with b_hn.
        hiddenProduct.multiply(2 * S, S, this.rhOffset, this.hiddenBias + 4 * 2 * S, this.ghOffset + 4 * 2 * S);
      }
      kernels.gru_update(this.gxOffset, this.ghOffset, this.hOffset, S, roundUp(this.hiddenSize, BLOCK_COLUMNS), resetAfter, this.hard);
    }
    h.set(this.h);
    return h;
  }

  /** b_ih and b_hh [3H each] into the kernel's two bias vectors, gate blocks S apart. */
  private setBias(bias: Float32Array): void {
    const H = this.hiddenSize;
    const S = this.S;
    for (let g = 0; g < 3; g++) {
      this.inputBiasView.set(bias.subarray(g * H, (g + 1) * H), g * S);
      this.hiddenBiasView.set(bias.subarray(3 * H + g * H, 3 * H + (g + 1) * H), g * S);
    }
  }
}

/** Bytes of the f32 scratch regions the constructor takes: two biases, x, h, r ⊙ h, two products. */
function scratchBytes(S: number, colsX: number, colsH: number): number[] {
  return [4 * 3 * S, 4 * 3 * S, 4 * colsX, 4 * colsH, 4 * colsH, 4 * 3 * S, 4 * 3 * S];
}

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/**
 * Writes columns [colStart, colStart + colCount) of the row-major GRU weight W
 * [3H × cols] in the f32 panel layout (f32PanelIndex), gate block g's row u
 * landing on packed row g·S + u. Padding rows and columns are left as they are (zero). Cold path.
 */
function packGateColumnsF32(packed: Float32Array, paddedCols: number, W: Float32Array, cols: number, H: number, S: number, colStart: number, colCount: number): void {
  for (let g = 0; g < 3; g++) {
    for (let u = 0; u < H; u++) {
      const r = g * S + u;
      const source = (g * H + u) * cols + colStart;
      for (let c = 0; c < colCount; c++) packed[f32PanelIndex(r, c, paddedCols)] = W[source + c];
    }
  }
}
