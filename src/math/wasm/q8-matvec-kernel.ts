import { KernelArena } from './kernel-arena.ts';
import { packQ8, q8Layout, type Q8Layout } from './q8-packing.ts';
import { QuantizedMatVecKernel } from './quantized-matvec-kernel.ts';

/** The int8 weights and scales of a Q8Matrix, as the kernels take them. */
export interface Q8Parts {
  readonly rows: number;
  readonly cols: number;
  readonly blockSize: number;
  readonly data: Int8Array;
  readonly scales: Float32Array;
}

/**
 * How the int8 kernels compute: 'integer' quantizes the activations to int16
 * per call (one scale for the vector) and multiplies in integers with
 * i32x4.dot_i16x8_s; 'float' widens the int8 weights to f32 and multiplies in
 * f32, exactly as the TypeScript Q8Matrix kernel does up to rounding.
 */
export type Q8KernelMode = 'integer' | 'float';

/**
 * A fixed int8 matrix with f32 scales and an f32 bias (a quantized output
 * layer) multiplied by the WebAssembly SIMD kernel. The weights are copied
 * row-major into the kernel's own memory (rows padded to 4, columns to 16),
 * with x, its int16 copy and out as scratch. The matrix adopts that copy
 * ({@link weight}, rows {@link weightRowStride} apart) so the weights are
 * held once.
 */
export class Q8MatVecKernel extends QuantizedMatVecKernel {
  private readonly layout: Q8Layout;
  private readonly weightOffset: number;
  private readonly scalesOffset: number;
  private readonly biasOffset: number;
  private readonly xOffset: number;
  private readonly xqOffset: number;
  private readonly outOffset: number;
  /** The weights [rows × cols] row-major in the kernel's memory, each row padded to {@link weightRowStride} elements. */
  readonly weight: Int8Array;
  /** Elements from one row of {@link weight} to the next: cols rounded up to a multiple of 16. */
  readonly weightRowStride: number;

  /** The kernel for a matrix, or null when its scale blocks are not multiples of 16 columns. Cold path. */
  static create(matrix: Q8Parts, bias: Float32Array | null, mode: Q8KernelMode): Q8MatVecKernel | null {
    const layout = q8Layout(matrix.rows, matrix.cols, matrix.blockSize);
    return layout === null ? null : new Q8MatVecKernel(matrix, layout, bias, mode);
  }

  private constructor(matrix: Q8Parts, layout: Q8Layout, bias: Float32Array | null, mode: Q8KernelMode) {
    const { paddedRows, paddedCols, blocksPerRow } = layout;
    const arena = new KernelArena([paddedRows * paddedCols, 4 * paddedRows * blocksPerRow, 4 * paddedRows, 4 * paddedCols, 2 * paddedCols, 4 * paddedRows]);
    const w = arena.takeInt8(paddedRows * paddedCols);
    const scales = arena.takeFloat32(paddedRows * blocksPerRow);
    const b = arena.takeFloat32(paddedRows);
    const x = arena.takeFloat32(paddedCols);
    const xqOffset = arena.takeBytes(2 * paddedCols);
    const out = arena.takeFloat32(paddedRows);
    super(matrix.rows, matrix.cols, mode, arena, x.view.subarray(0, matrix.cols), out.view.subarray(0, matrix.rows));
    this.layout = layout;
    this.xqOffset = xqOffset;
    packQ8(w.view, scales.view, layout, matrix.rows, matrix.cols, matrix.data, matrix.scales);
    if (bias !== null) b.view.set(bias);
    this.weightOffset = w.offset;
    this.scalesOffset = scales.offset;
    this.biasOffset = b.offset;
    this.xOffset = x.offset;
    this.outOffset = out.offset;
    this.weight = w.view.subarray(0, matrix.rows * paddedCols);
    this.weightRowStride = paddedCols;
  }

  protected run(): void {
    const { paddedRows, subPerRow, subPerBlock, activationLimit } = this.layout;
    if (this.mode === 'integer') {
      this.arena.kernels.matvec_q8(
        this.weightOffset, this.scalesOffset, paddedRows, subPerRow, subPerBlock, this.xOffset, this.xqOffset, activationLimit, this.biasOffset, this.outOffset,
      );
    } else {
      this.arena.kernels.matvec_q8_float(
        this.weightOffset, this.scalesOffset, paddedRows, subPerRow, subPerBlock, this.xOffset, this.biasOffset, this.outOffset,
      );
    }
  }
}
