/** Columns per chunk of the 4-bit kernels: 16 bytes of nibbles, one 128-bit load. */
export const Q4_CHUNK_COLUMNS = 32;
/** Rows the 4-bit kernels take at a time. */
export const Q4_PANEL_ROWS = 4;

/** The nibbles and scales of a Q4Matrix, as the kernels take them. */
export interface Q4Parts {
  readonly rows: number;
  readonly cols: number;
  readonly blockSize: number;
  /** Row-major nibbles, rows `dataRowStride` bytes apart. */
  readonly data: Uint8Array;
  readonly dataRowStride: number;
  /** [rows × ceil(cols / blockSize)] row-major. */
  readonly scales: Float32Array;
}

/** How a 4-bit matrix is laid out for the WebAssembly kernels. */
export interface Q4Layout {
  /** rows rounded up to 4. */
  readonly paddedRows: number;
  /** cols rounded up to 32. */
  readonly paddedCols: number;
  /** 32-column chunks per row (a row is chunks·16 bytes). */
  readonly chunks: number;
  /** Chunks that share one scale. */
  readonly chunkPerBlock: number;
  /** Scales per row (the matrix's own count). */
  readonly blocksPerRow: number;
  /** The largest |xq| of the quantized activations for which no int32 block sum can overflow. */
  readonly activationLimit: number;
}

/**
 * The kernel layout of a Q4Matrix, or null when its scale blocks do not fall
 * on 32-column boundaries (blocks of 16, say; the TypeScript kernel then runs).
 */
export function q4Layout(rows: number, cols: number, blockSize: number): Q4Layout | null {
  const chunks = Math.ceil(cols / Q4_CHUNK_COLUMNS);
  const blocksPerRow = Math.ceil(cols / blockSize);
  let chunkPerBlock: number;
  if (blockSize >= cols) chunkPerBlock = chunks;
  else if (blockSize % Q4_CHUNK_COLUMNS === 0) chunkPerBlock = blockSize / Q4_CHUNK_COLUMNS;
  else return null;
  return {
    paddedRows: Math.ceil(rows / Q4_PANEL_ROWS) * Q4_PANEL_ROWS,
    paddedCols: chunks * Q4_CHUNK_COLUMNS,
    chunks,
    chunkPerBlock,
    blocksPerRow,
    // The integer kernel sums 16·q·xq (see kernels.wat): 128 · limit · blockColumns must stay below 2^31 (q is −8 … 7).
    activationLimit: Math.min(32767, Math.floor(2147483647 / (128 * chunkPerBlock * Q4_CHUNK_COLUMNS))),
  };
}

/**
 * Copies a 4-bit matrix into kernel regions (both zeroed): the nibbles
 * row-major with each row padded to chunks·16 bytes, the scales row-major as
 * they are (the padding rows' scales stay zero). Cold path: one pass.
 */
export function packQ4(packedData: Uint8Array, packedScales: Float32Array, layout: Q4Layout, matrix: Q4Parts): void {
  const rowBytes = layout.chunks * 16;
  const used = (matrix.cols + 1) >> 1;
  const { data, dataRowStride, rows } = matrix;
  if (rowBytes === dataRowStride) packedData.set(data.subarray(0, rows * rowBytes));
  else for (let r = 0; r < rows; r++) packedData.set(data.subarray(r * dataRowStride, r * dataRowStride + used), r * rowBytes);
  packedScales.set(matrix.scales.subarray(0, rows * layout.blocksPerRow));
}
