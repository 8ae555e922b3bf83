/** Rows per panel of packed f32 weights (the f32 products keep one accumulator per row). */
export const PANEL_ROWS = 8;
/** Columns per block inside an f32 panel: one 128-bit vector. */
export const BLOCK_COLUMNS = 4;

/**
 * Where W[row, column] of a matrix with `paddedCols` columns (a multiple of
 * 4) lies in its f32 panel layout, the one the f32 kernels stream: panel p,
 * column block k holds W[8p + i, 4k + j] at (p·paddedCols / 4 + k)·32 + 4i + j.
 * Cost: O(1).
 */
export function f32PanelIndex(row: number, column: number, paddedCols: number): number {
  return Math.floor(row / PANEL_ROWS) * PANEL_ROWS * paddedCols
    + Math.floor(column / BLOCK_COLUMNS) * PANEL_ROWS * BLOCK_COLUMNS
    + (row % PANEL_ROWS) * BLOCK_COLUMNS
    + (column % BLOCK_COLUMNS);
}
