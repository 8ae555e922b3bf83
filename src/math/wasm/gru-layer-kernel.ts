import { KernelArena } from './kernel-arena.ts';
import { packQ8, q8Layout, type Q8Layout } from './q8-packing.ts';
import type { Q8KernelMode, Q8Parts } from './q8-matvec-kernel.ts';

/** Rows per panel of packed f32 weights, and so the granularity of a gate block's rows. */
const PANEL_ROWS = 8;
/** Columns per block inside an f32 panel. */
const BLOCK_COLUMNS = 4;
/** Columns per int8 sub-block: x, h and r ⊙ h are padded to it for the int8 products. */
const Q8_COLUMNS = 16;

/** The int8 parts of a GRU kernel: both products' packed weights, scales and layouts. */
interface Q8Products {
  readonly mode: Q8KernelMode;
  readonly input: Q8Layout;
  readonly hidden: Q8Layout;
  readonly inputWeights: number;
  readonly inputScales: number;
  readonly hiddenWeights: number;
  readonly hiddenScales: number;
  readonly xq: number;
}

/**
 * One GRU layer (src/cells/gru-cell.ts) stepped by the WebAssembly SIMD
 * kernels, with f32 or int8 weights. The [3H × (I + H)] weight is packed once
 * into two panel matrices, the input columns [3S × I] and the hidden ones
 * [3S × H], each gate block (r, z, n) padded to S rows (H rounded up to 8)
 * so a block starts on a panel: the reset-before variant multiplies the n
 * rows alone, by r ⊙ h. Next to them live the biases b_ih and b_hh and one
 * step's scratch (x, h, r ⊙ h, both products). Every session of a model
 * shares it: a step copies the session's h in, runs, and copies it back.
 * f32: one call per step; int8: the products through matvec_q8 (or its f32
 * widening) with the element-wise passes between, four or five calls.
 */
export class GruLayerKernel {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** True for PyTorch's variant (cell `gru`), false for `gru-reset-before`. */
  readonly resetAfter: boolean;
  private readonly arena: KernelArena;
  /** H rounded up to 8: rows per gate block in the packed matrices and the products. */
  private readonly S: number;
  /** f32: padded columns of the input and hidden matrices (multiples of 4); int8: of x and h (multiples of 16). */
  private readonly colsX: number;
  private readonly colsH: number;
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
  private readonly q8: Q8Products | null;
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
    const I = inputSize;
    const H = hiddenSize;
    const S = roundUp(H, PANEL_ROWS);
    const perRow = weight.blockSize >= I + H;
    if (!perRow && I % weight.blockSize !== 0) return null;
    const input = q8Layout(3 * S, I, perRow ? I : weight.blockSize);
    const hidden = q8Layout(3 * S, H, perRow ? H : weight.blockSize);
    if (input === null || hidden === null) return null;
    const colsX = input.paddedCols;
    const colsH = hidden.paddedCols;
    const arena = new KernelArena([
      3 * S * colsX, 4 * 3 * S * input.blocksPerRow, 3 * S * colsH, 4 * 3 * S * hidden.blocksPerRow, 2 * Math.max(colsX, colsH),
      ...scratchBytes(S, colsX, colsH),
    ]);
    const inputWeights = arena.takeInt8(3 * S * colsX);
    const inputScales = arena.takeFloat32(3 * S * input.blocksPerRow);
    const hiddenWeights = arena.takeInt8(3 * S * colsH);
    const hiddenScales = arena.takeFloat32(3 * S * hidden.blocksPerRow);
    const xq = arena.takeBytes(2 * Math.max(colsX, colsH));
    const blocksPerRow = Math.ceil((I + H) / weight.blockSize);
    const inputBlocks = perRow ? 0 : I / weight.blockSize;
    packGateColumnsQ8(inputWeights.view, inputScales.view, input, weight, I + H, blocksPerRow, H, S, 0, I, 0);
    packGateColumnsQ8(hiddenWeights.view, hiddenScales.view, hidden, weight, I + H, blocksPerRow, H, S, I, H, inputBlocks);
    const q8: Q8Products = {
      mode, input, hidden, xq,
      inputWeights: inputWeights.offset, inputScales: inputScales.offset,
      hiddenWeights: hiddenWeights.offset, hiddenScales: hiddenScales.offset,
    };
    const kernel = new GruLayerKernel(I, H, resetAfter, arena, S, colsX, colsH, inputWeights.offset, hiddenWeights.offset, null, null, q8);
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
    q8: Q8Products | null,
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
    this.q8 = q8;
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
   * RangeError on an int8 kernel. Cost: one pass over the weights; no allocation.
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
    const q8 = this.q8;
    if (q8 === null) {
      kernels.gru_step(
        this.inputWeights, this.hiddenWeights, this.inputBias, this.hiddenBias, this.xOffset, this.hOffset, this.rhOffset,
        this.gxOffset, this.ghOffset, this.S, this.colsX, this.colsH, resetAfter, this.hard,
      );
    } else {
      const S = this.S;
      const input = q8.input;
      const hidden = q8.hidden;
      this.multiplyQ8(q8.inputWeights, q8.inputScales, 3 * S, input, this.xOffset, this.inputBias, this.gxOffset);
      if (resetAfter === 1) {
        this.multiplyQ8(q8.hiddenWeights, q8.hiddenScales, 3 * S, hidden, this.hOffset, this.hiddenBias, this.ghOffset);
      } else {
        this.multiplyQ8(q8.hiddenWeights, q8.hiddenScales, 2 * S, hidden, this.hOffset, this.hiddenBias, this.ghOffset);
        kernels.gru_reset(this.gxOffset, this.ghOffset, this.hOffset, this.rhOffset, roundUp(this.hiddenSize, BLOCK_COLUMNS), this.hard);
        // The n rows: 2S rows into the packed weights (16-byte rows of sub-blocks) and their scales.
        this.multiplyQ8(
          q8.hiddenWeights + 2 * S * hidden.paddedCols, q8.hiddenScales + 4 * 2 * S * hidden.blocksPerRow, S, hidden,
          this.rhOffset, this.hiddenBias + 4 * 2 * S, this.ghOffset + 4 * 2 * S,
        );
      }
      kernels.gru_update(this.gxOffset, this.ghOffset, this.hOffset, S, roundUp(this.hiddenSize, BLOCK_COLUMNS), resetAfter, this.hard);
    }
    h.set(this.h);
    return h;
  }

  /** out [rows] = bias + W·v on packed int8 weights, in the kernel's mode. */
  private multiplyQ8(weights: number, scales: number, rows: number, layout: Q8Layout, v: number, bias: number, out: number): void {
    const q8 = this.q8 as Q8Products;
    const kernels = this.arena.kernels;
    if (q8.mode === 'float') kernels.matvec_q8_float(weights, scales, rows, layout.subPerRow, layout.subPerBlock, v, bias, out);
    else kernels.matvec_q8(weights, scales, rows, layout.subPerRow, layout.subPerBlock, v, q8.xq, layout.activationLimit, bias, out);
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
 * [3H × cols] as panels of 8 rows (the layout of recurrent-layer-kernel.ts:
 * panel p, column block k holds rows 8p … 8p + 7, columns 4k … 4k + 3, at
 * (p·cols' / 4 + k)·32 + 4i + j), gate block g's row u landing on packed row
 * g·S + u. Padding rows and columns are left as they are (zero). Cold path.
 */
function packGateColumnsF32(packed: Float32Array, paddedCols: number, W: Float32Array, cols: number, H: number, S: number, colStart: number, colCount: number): void {
  for (let g = 0; g < 3; g++) {
    for (let u = 0; u < H; u++) {
      const r = g * S + u;
      const source = (g * H + u) * cols + colStart;
      const panelBase = Math.floor(r / PANEL_ROWS) * PANEL_ROWS * paddedCols + (r % PANEL_ROWS) * BLOCK_COLUMNS;
      for (let c = 0; c < colCount; c++) {
        packed[panelBase + Math.floor(c / BLOCK_COLUMNS) * PANEL_ROWS * BLOCK_COLUMNS + (c % BLOCK_COLUMNS)] = W[source + c];
      }
    }
  }
}

/**
 * The int8 counterpart: columns [colStart, colStart + colCount) of the Q8
 * weight and the scales of their blocks (from block firstBlock on; one
 * per row when the weight has one scale per row), rows laid out as in
 * packGateColumnsF32, packed by packQ8 (q8-packing.ts). Cold path: allocates
 * a row-major staging copy of the part.
 */
function packGateColumnsQ8(
  packedWeights: Int8Array,
  packedScales: Float32Array,
  layout: Q8Layout,
  weight: Q8Parts,
  cols: number,
  blocksPerRow: number,
  H: number,
  S: number,
  colStart: number,
  colCount: number,
  firstBlock: number,
): void {
  const rows = 3 * S;
  const data = new Int8Array(rows * colCount);
  const scales = new Float32Array(rows * layout.blocksPerRow);
  for (let g = 0; g < 3; g++) {
    for (let u = 0; u < H; u++) {
      const r = g * S + u;
      const source = g * H + u;
      data.set(weight.data.subarray(source * cols + colStart, source * cols + colStart + colCount), r * colCount);
      for (let b = 0; b < layout.blocksPerRow; b++) scales[r * layout.blocksPerRow + b] = weight.scales[source * blocksPerRow + firstBlock + (blocksPerRow === 1 ? 0 : b)];
    }
  }
  packQ8(packedWeights, packedScales, layout, rows, colCount, data, scales);
}
