import type { KernelExports } from './kernel-module.ts';
import { packQ4, q4Layout, type Q4Layout, type Q4Parts } from './q4-packing.ts';
import type { Q8KernelMode } from './q8-matvec-kernel.ts';
import type { RecurrentWeights, RecurrentWeightsPlan } from './recurrent-weights.ts';

/**
 * The 4-bit weights of a fused LSTM/Elman layer, W [rows × cols] (Q4Matrix
 * parts; rows = G·H, cols = I + H), laid out for lstm_step_q4 and
 * rnn_step_q4, or null when its scale blocks are not multiples of 32
 * columns. Memory: rows'·cols'/2 bytes of nibbles (rows' rounded up to 4,
 * cols' to 32), 4·rows' bytes per scale block, and 6·cols' bytes of scratch
 * (xh de-interleaved, then as int16). Cost: O(1) until build.
 */
export function planQ4RecurrentWeights(rows: number, cols: number, weight: Q4Parts, mode: Q8KernelMode): RecurrentWeightsPlan<Q4RecurrentWeights> | null {
  const layout = q4Layout(rows, cols, weight.blockSize);
  if (layout === null) return null;
  const { paddedRows, paddedCols, blocksPerRow } = layout;
  return {
    paddedRows,
    paddedCols,
    byteCounts: [paddedRows * paddedCols / 2, 4 * paddedRows * blocksPerRow, 4 * paddedCols, 2 * paddedCols],
    build(arena) {
      const data = arena.takeUint8(paddedRows * paddedCols / 2);
      const scales = arena.takeFloat32(paddedRows * blocksPerRow);
      packQ4(data.view, scales.view, layout, weight);
      const xd = arena.takeBytes(4 * paddedCols);
      const xq = arena.takeBytes(2 * paddedCols);
      // The views the Q4Matrix adopts: the real rows, not the padding ones.
      const rowsData = data.view.subarray(0, rows * paddedCols / 2);
      const rowsScales = scales.view.subarray(0, rows * blocksPerRow);
      return new Q4RecurrentWeights(arena.kernels, data.offset, scales.offset, xd, xq, layout, mode === 'float' ? 1 : 0, rowsData, rowsScales);
    },
  };
}

/**
 * A layer's 4-bit weights: nibbles row-major with rows padded to 32
 * columns, the scales row-major as the Q4Matrix keeps them (packQ4). Both
 * are a layout the Q4Matrix reads too: it adopts {@link data} and
 * {@link scales}, so the layer's weights are held once.
 */
export class Q4RecurrentWeights implements RecurrentWeights {
  /** The nibbles [G·H × (I + H)] in the kernel's memory, rows {@link rowStride} bytes apart, for the Q4Matrix to adopt (Q4Matrix.adoptStorage). */
  readonly data: Uint8Array;
  /** Bytes from one row of {@link data} to the next: (I + H rounded up to 32) / 2. */
  readonly rowStride: number;
  /** The scales [G·H × blocks per row] row-major in the kernel's memory, adopted with {@link data}. */
  readonly scales: Float32Array;
  private readonly kernels: KernelExports;
  private readonly dataOffset: number;
  private readonly scalesOffset: number;
  /** f32 scratch: xh de-interleaved per chunk. */
  private readonly xdOffset: number;
  /** int16 scratch of the integer product. */
  private readonly xqOffset: number;
  private readonly layout: Q4Layout;
  /** 1: widened-f32 product; 0: integer product (quantized activations). */
  private readonly exact: number;

  /** Over regions already packed; see {@link planQ4RecurrentWeights}. */
  constructor(
    kernels: KernelExports,
    dataOffset: number,
    scalesOffset: number,
    xdOffset: number,
    xqOffset: number,
    layout: Q4Layout,
    exact: number,
    data: Uint8Array,
    scales: Float32Array,
  ) {
    this.kernels = kernels;
    this.dataOffset = dataOffset;
    this.scalesOffset = scalesOffset;
    this.xdOffset = xdOffset;
    this.xqOffset = xqOffset;
    this.layout = layout;
    this.exact = exact;
    this.data = data;
    this.rowStride = layout.paddedCols / 2;
    this.scales = scales;
  }

  lstmStep(bias: number, xh: number, gates: number, c: number, hiddenSize: number, hOffset: number, hard: number): void {
    const { paddedRows, chunks, chunkPerBlock, blocksPerRow, activationLimit } = this.layout;
    this.kernels.lstm_step_q4(
      this.dataOffset, this.scalesOffset, bias, xh, this.xdOffset, this.xqOffset, activationLimit,
      paddedRows, chunks, chunkPerBlock, blocksPerRow, gates, c, hiddenSize, hOffset, this.exact, hard,
    );
  }

  rnnStep(bias: number, xh: number, pre: number, hiddenSize: number, hOffset: number, relu: number): void {
    const { paddedRows, chunks, chunkPerBlock, blocksPerRow, activationLimit } = this.layout;
    this.kernels.rnn_step_q4(
      this.dataOffset, this.scalesOffset, bias, xh, this.xdOffset, this.xqOffset, activationLimit,
      paddedRows, chunks, chunkPerBlock, blocksPerRow, pre, hiddenSize, hOffset, this.exact, relu,
    );
  }
}
