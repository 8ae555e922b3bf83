import type { WeightMatrix } from '../math/matrix.ts';
import { Q4Matrix } from '../math/q4-matrix.ts';
import { Q8Matrix } from '../math/q8-matrix.ts';

/**
 * A matrix as q8 with `blockSize` columns per scale (omitted: a Q8Matrix
 * keeps its layout, anything else gets one scale per row). A Q8Matrix
 * already in the wanted layout is returned as is, so writing a loaded q8
 * model again never quantizes twice. Cold path: allocates rows·cols bytes plus scales.
 */
export function quantizeMatrix(matrix: WeightMatrix, blockSize: number | undefined): Q8Matrix {
  const block = Math.min(blockSize ?? (matrix instanceof Q8Matrix ? matrix.blockSize : matrix.cols), matrix.cols);
  if (matrix instanceof Q8Matrix && matrix.blockSize === block) return matrix;
  return Q8Matrix.fromFloat32(matrix.rows, matrix.cols, matrix.toFloat32(), block);
}

/** Default columns per scale of q4: one scale per row loses too much at 4 bits. */
export const Q4_DEFAULT_BLOCK_SIZE = 32;

/**
 * A matrix as q4 with `blockSize` (even) columns per scale (omitted: a
 * Q4Matrix keeps its layout, anything else gets blocks of 32). A Q4Matrix
 * already in the wanted layout is returned as is. Cold path.
 */
export function quantizeMatrixQ4(matrix: WeightMatrix, blockSize: number | undefined): Q4Matrix {
  const block = blockSize ?? (matrix instanceof Q4Matrix ? matrix.blockSize : Q4_DEFAULT_BLOCK_SIZE);
  if (matrix instanceof Q4Matrix && matrix.blockSize === block) return matrix;
  return Q4Matrix.fromFloat32(matrix.rows, matrix.cols, matrix.toFloat32(), block);
}
