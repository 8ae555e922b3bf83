import type { KernelExports } from './kernel-module.ts';
import { packQ8, q8Layout, type Q8Layout } from './q8-packing.ts';
import type { Q8KernelMode, Q8Parts } from './q8-matvec-kernel.ts';
import type { RecurrentWeights, RecurrentWeightsPlan } from './recurrent-weights.ts';

/**
 * The int8 weights of a fused LSTM/Elman layer, W [rows × cols] (Q8Matrix
 * parts; rows = G·H, cols = I + H), laid out for lstm_step_q8 and
 * rnn_step_q8, or null when its scale blocks are not multiples of 16
 * columns. Memory: rows'·cols' bytes of weights (rows' rounded up to 4,
 * cols' to 16), 4·rows' bytes per scale block, and 2·cols' bytes of int16
 * scratch. Cost: O(1) until build.
 */
export function planQ8RecurrentWeights(rows: number, cols: number, weight: Q8Parts, mode: Q8KernelMode): RecurrentWeightsPlan<Q8RecurrentWeights> | null {
  const layout = q8Layout(rows, cols, weight.blockSize);
  if (layout === null) return null;
  const { paddedRows, paddedCols, blocksPerRow } = layout;
  return {
    paddedRows,
    paddedCols,
    byteCounts: [paddedRows * paddedCols, 4 * paddedRows * blocksPerRow, 2 * paddedCols],
    build(arena) {
      const data = arena.takeInt8(paddedRows * paddedCols);
      const scales = arena.takeFloat32(paddedRows * blocksPerRow);
      packQ8(data.view, scales.view, layout, rows, cols, weight.data, weight.scales);
      const xq = arena.takeBytes(2 * paddedCols);
      // The view the Q8Matrix adopts: the real rows, not the padding ones.
      const rowsData = data.view.subarray(0, rows * paddedCols);
      return new Q8RecurrentWeights(arena.kernels, data.offset, scales.offset, xq, layout, mode === 'float' ? 1 : 0, rowsData);
    },
  };
}

/**
 * A layer's int8 weights row-major with rows padded to 16 columns (4 rows
 * per pass), their scales packed per 4 rows (packQ8). The padded rows are
 * a layout the Q8Matrix reads too: it adopts {@link data}, so the layer's
 * weights are held once.
 */
export class Q8RecurrentWeights implements RecurrentWeights {
  /**
   * The weights [G·H × (I + H)] in the kernel's memory, rows {@link rowStride}
   * elements apart, for the Q8Matrix to adopt (Q8Matrix.adoptStorage).
   */
  readonly data: Int8Array;
  /** Elements from one row of {@link data} to the next: I + H rounded up to 16. */
  readonly rowStride: number;
  private readonly kernels: KernelExports;
  private readonly dataOffset: number;
  private readonly scalesOffset: number;
  /** int16 scratch of the integer product. */
  private readonly xqOffset: number;
  private readonly layout: Q8Layout;
  /** 1: widened-f32 product; 0: integer product (quantized activations). */
  private readonly exact: number;

  /** Over regions already packed; see {@link planQ8RecurrentWeights}. */
  constructor(kernels: KernelExports, dataOffset: number, scalesOffset: number, xqOffset: number, layout: Q8Layout, exact: number, data: Int8Array) {
    this.kernels = kernels;
    this.dataOffset = dataOffset;
    this.scalesOffset = scalesOffset;
    this.xqOffset = xqOffset;
    this.layout = layout;
    this.exact = exact;
    this.data = data;
    this.rowStride = layout.paddedCols;
  }

  lstmStep(bias: number, xh: number, gates: number, c: number, hiddenSize: number, hOffset: number, hard: number): void {
    const { paddedRows, subPerRow, subPerBlock, activationLimit } = this.layout;
    this.kernels.lstm_step_q8(
      this.dataOffset, this.scalesOffset, bias, xh, this.xqOffset, activationLimit,
      paddedRows, subPerRow, subPerBlock, gates, c, hiddenSize, hOffset, this.exact, hard,
    );
  }

  rnnStep(bias: number, xh: number, pre: number, hiddenSize: number, hOffset: number, relu: number): void {
    const { paddedRows, subPerRow, subPerBlock, activationLimit } = this.layout;
    this.kernels.rnn_step_q8(
      this.dataOffset, this.scalesOffset, bias, xh, this.xqOffset, activationLimit,
      paddedRows, subPerRow, subPerBlock, pre, hiddenSize, hOffset, this.exact, relu,
    );
  }
}
