import { KernelArena } from './kernel-arena.ts';
import { packQ4, q4Layout, type Q4Layout, type Q4Parts } from './q4-packing.ts';
import type { Q8KernelMode } from './q8-matvec-kernel.ts';
import { QuantizedMatVecKernel } from './quantized-matvec-kernel.ts';

/**
 * A fixed 4-bit matrix with f32 block scales and an f32 bias (a quantized
 * output layer) multiplied by the WebAssembly SIMD kernel. The nibbles and
 * scales are copied into the kernel's own memory (rows padded to 4 and to
 * 32 columns) with x, its de-interleaved and int16 copies and out as scratch;
 * the Q4Matrix adopts that copy ({@link data}, {@link scales}) so the weights
 * are held once. Mode as for int8 ('integer': activations quantized to int16;
 * 'float': weights widened to f32).
 */
export class Q4MatVecKernel extends QuantizedMatVecKernel {
  /** The nibbles [rows × dataRowStride] row-major in the kernel's memory. */
  readonly data: Uint8Array;
  /** Bytes from one row of {@link data} to the next: cols rounded up to 32, halved. */
  readonly dataRowStride: number;
  /** The scales [rows × blocksPerRow] row-major in the kernel's memory. */
  readonly scales: Float32Array;
  private readonly layout: Q4Layout;
  private readonly dataOffset: number;
  private readonly scalesOffset: number;
  private readonly biasOffset: number;
  private readonly xOffset: number;
  private readonly xdOffset: number;
  private readonly xqOffset: number;
  private readonly outOffset: number;

  /** The kernel for a matrix, or null when its scale blocks are not multiples of 32 columns. Cold path. */
  static create(matrix: Q4Parts, bias: Float32Array | null, mode: Q8KernelMode): Q4MatVecKernel | null {
    const layout = q4Layout(matrix.rows, matrix.cols, matrix.blockSize);
    return layout === null ? null : new Q4MatVecKernel(matrix, layout, bias, mode);
  }

  private constructor(matrix: Q4Parts, layout: Q4Layout, bias: Float32Array | null, mode: Q8KernelMode) {
    const { paddedRows, paddedCols, blocksPerRow } = layout;
    const rowBytes = paddedCols / 2;
    const arena = new KernelArena([paddedRows * rowBytes, 4 * paddedRows * blocksPerRow, 4 * paddedRows, 4 * paddedCols, 4 * paddedCols, 2 * paddedCols, 4 * paddedRows]);
    const data = arena.takeUint8(paddedRows * rowBytes);
    const scales = arena.takeFloat32(paddedRows * blocksPerRow);
    const b = arena.takeFloat32(paddedRows);
    const x = arena.takeFloat32(paddedCols);
    const xdOffset = arena.takeBytes(4 * paddedCols);
    const xqOffset = arena.takeBytes(2 * paddedCols);
    const out = arena.takeFloat32(paddedRows);
    super(matrix.rows, matrix.cols, mode, arena, x.view.subarray(0, matrix.cols), out.view.subarray(0, matrix.rows));
    this.layout = layout;
    this.xdOffset = xdOffset;
    this.xqOffset = xqOffset;
    packQ4(data.view, scales.view, layout, matrix);
    if (bias !== null) b.view.set(bias);
    this.dataOffset = data.offset;
    this.scalesOffset = scales.offset;
    this.biasOffset = b.offset;
    this.xOffset = x.offset;
    this.outOffset = out.offset;
    this.data = data.view.subarray(0, matrix.rows * rowBytes);
    this.dataRowStride = rowBytes;
    this.scales = scales.view.subarray(0, matrix.rows * blocksPerRow);
  }

  protected run(): void {
    const { paddedRows, chunks, chunkPerBlock, blocksPerRow, activationLimit } = this.layout;
    this.arena.kernels.matvec_q4(
      this.dataOffset, this.scalesOffset, paddedRows, chunks, chunkPerBlock, blocksPerRow,
      this.xOffset, this.xdOffset, this.xqOffset, activationLimit, this.mode === 'float' ? 1 : 0, this.biasOffset, this.outOffset,
    );
  }
}
