/** Rows the int8 kernels take at a time (a panel); the scales are packed per panel. */
export const Q8_PANEL_ROWS = 4;
/** Columns per sub-block: one 128-bit vector of int8. */
export const Q8_SUB_COLUMNS = 16;

/** How an int8 matrix with f32 scales is laid out for the WebAssembly kernel. */
export interface Q8Layout {
  /** rows rounded up to 4. */
  readonly paddedRows: number;
  /** cols rounded up to 16. */
  readonly paddedCols: number;
  /** 16-column sub-blocks per row. */
  readonly subPerRow: number;
  /** Sub-blocks that share one scale. */
  readonly subPerBlock: number;
  readonly blocksPerRow: number;
  /** The largest |xq| of the quantized activations for which no int32 block sum can overflow. */
  readonly activationLimit: number;
}

/**
 * The layout of a Q8Matrix's values for the kernel, or null when its scale
 * blocks do not fall on 16-column boundaries (the TypeScript kernel then runs).
 */
export function q8Layout(rows: number, cols: number, blockSize: number): Q8Layout | null {
  const paddedCols = Math.ceil(cols / Q8_SUB_COLUMNS) * Q8_SUB_COLUMNS;
  const subPerRow = paddedCols / Q8_SUB_COLUMNS;
  let subPerBlock: number;
  if (blockSize >= cols) subPerBlock = subPerRow;
  else if (blockSize % Q8_SUB_COLUMNS === 0) subPerBlock = blockSize / Q8_SUB_COLUMNS;
  else return null;
  const blockColumns = subPerBlock * Q8_SUB_COLUMNS;
  return {
    paddedRows: Math.ceil(rows / Q8_PANEL_ROWS) * Q8_PANEL_ROWS,
    paddedCols,
    subPerRow,
    subPerBlock,
    blocksPerRow: Math.ceil(subPerRow / subPerBlock),
    // Σ over a block of |w·xq| ≤ 127 · limit · blockColumns must stay below 2^31.
    activationLimit: Math.min(32767, Math.floor(2147483647 / (127 * blockColumns))),
  };
}

/**
 * Lays row-major int8 W [rows × cols] out for the kernels: row-major with
 * each row padded to paddedCols (so when cols is a multiple of 16 the weight
 * region is W itself followed by zero rows), and its scales [rows ×
 * blocksPerRow] as [panel of 4 rows][block][4 rows]. Padding stays zero
 * (both targets must be zeroed). Cold path: one pass over W.
 */
export function packQ8(
  packedWeights: Int8Array,
  packedScales: Float32Array,
  layout: Q8Layout,
  rows: number,
  cols: number,
  data: Int8Array,
  scales: Float32Array,
): void {
  const { paddedCols, blocksPerRow } = layout;
  if (paddedCols === cols) packedWeights.set(data.subarray(0, rows * cols));
  else for (let r = 0; r < rows; r++) packedWeights.set(data.subarray(r * cols, (r + 1) * cols), r * paddedCols);
  for (let r = 0; r < rows; r++) {
    const panel = Math.floor(r / Q8_PANEL_ROWS);
    const rowInPanel = r % Q8_PANEL_ROWS;
    for (let b = 0; b < blocksPerRow; b++) {
      packedScales[(panel * blocksPerRow + b) * Q8_PANEL_ROWS + rowInPanel] = scales[r * blocksPerRow + b];
    }
  }
}
