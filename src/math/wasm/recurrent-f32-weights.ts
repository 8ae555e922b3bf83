import type { KernelExports } from './kernel-module.ts';
import { BLOCK_COLUMNS, f32PanelIndex, PANEL_ROWS } from './f32-panels.ts';
import type { RecurrentWeights, RecurrentWeightsPlan } from './recurrent-weights.ts';

/**
 * The f32 weights of a fused LSTM/Elman layer, W [rows × cols] row-major
 * (rows = G·H, cols = I + H), laid out for lstm_step and rnn_step: panels
 * of 8 rows per 4-column block. Memory: 4·rows'·cols' bytes (rows' rounded
 * up to 8, cols' to 4), a copy in addition to the matrix's own array.
 * Cost: O(1) until build.
 */
export function planF32RecurrentWeights(rows: number, cols: number, weight: Float32Array): RecurrentWeightsPlan<F32RecurrentWeights> {
  const paddedRows = Math.ceil(rows / PANEL_ROWS) * PANEL_ROWS;
  const paddedCols = Math.ceil(cols / BLOCK_COLUMNS) * BLOCK_COLUMNS;
  return {
    paddedRows,
    paddedCols,
    byteCounts: [4 * paddedRows * paddedCols],
    build(arena) {
      const packed = arena.takeFloat32(paddedRows * paddedCols);
      const weights = new F32RecurrentWeights(arena.kernels, packed.offset, packed.view, rows, cols, paddedRows, paddedCols);
      weights.repack(weight);
      return weights;
    },
  };
}

/**
 * A layer's f32 weights packed in panels of 8 rows (the product streams one
 * pointer and reuses each load of xh for 8 rows). The only dtype whose
 * weights can be packed again in place ({@link repack}).
 */
export class F32RecurrentWeights implements RecurrentWeights {
  private readonly kernels: KernelExports;
  private readonly offset: number;
  /** The packed panels, for {@link repack}. */
  private readonly packed: Float32Array;
  private readonly rows: number;
  private readonly cols: number;
  private readonly paddedRows: number;
  private readonly paddedCols: number;

  /** Over `packed` (at byte `offset` of the kernels' memory), zeroed or already packed; see {@link planF32RecurrentWeights}. */
  constructor(kernels: KernelExports, offset: number, packed: Float32Array, rows: number, cols: number, paddedRows: number, paddedCols: number) {
    this.kernels = kernels;
    this.offset = offset;
    this.packed = packed;
    this.rows = rows;
    this.cols = cols;
    this.paddedRows = paddedRows;
    this.paddedCols = paddedCols;
  }

  /**
   * Packs row-major W [rows × cols] in place of the current weights (the
   * padding stays zero). Cost: one pass over the weights; no allocation.
   */
  repack(weight: Float32Array): void {
    packF32Panels(this.packed, weight, this.rows, this.cols, this.paddedCols);
  }

  lstmStep(bias: number, xh: number, gates: number, c: number, hiddenSize: number, hOffset: number, hard: number): void {
    this.kernels.lstm_step(this.offset, bias, xh, this.paddedRows, this.paddedCols, gates, c, hiddenSize, hOffset, hard);
  }

  rnnStep(bias: number, xh: number, pre: number, hiddenSize: number, hOffset: number, relu: number): void {
    this.kernels.rnn_step(this.offset, bias, xh, this.paddedRows, this.paddedCols, pre, hiddenSize, hOffset, relu);
  }
}

/**
 * Writes row-major W [rows × cols] into `packed` in the f32 panel layout
 * (f32PanelIndex). Padding rows and columns are left as they are (zero). Cold path.
 */
function packF32Panels(packed: Float32Array, W: Float32Array, rows: number, cols: number, paddedCols: number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) packed[f32PanelIndex(r, c, paddedCols)] = W[r * cols + c];
  }
}
