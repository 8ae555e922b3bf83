import type { KernelArena } from './kernel-arena.ts';
import type { KernelExports } from './kernel-module.ts';
import { gatherGateScales, splitGateColumns, type GateColumnSplit, type GateProduct, type GateProductsPlan } from './gru-products.ts';
import { packQ8, q8Layout, type Q8Layout } from './q8-packing.ts';
import type { Q8KernelMode, Q8Parts } from './q8-matvec-kernel.ts';

/**
 * The int8 products of a GRU kernel over a fused weight [3H × (I + H)]
 * (Q8Matrix parts), or null when its scale blocks cannot be packed for
 * matvec_q8: see splitGateColumns and q8Layout. Memory: 3S·(I' + H') bytes
 * of weights (I', H' rounded up to 16), their scales, and 2·max(I', H')
 * bytes of int16 scratch. Cost: O(1) until build.
 */
export function planQ8GateProducts(inputSize: number, hiddenSize: number, S: number, weight: Q8Parts, mode: Q8KernelMode): GateProductsPlan | null {
  const split = splitGateColumns(inputSize, hiddenSize, weight.blockSize);
  if (split === null) return null;
  const input = q8Layout(3 * S, inputSize, split.inputBlockSize);
  const hidden = q8Layout(3 * S, hiddenSize, split.hiddenBlockSize);
  if (input === null || hidden === null) return null;
  const xqBytes = 2 * Math.max(input.paddedCols, hidden.paddedCols);
  return {
    colsX: input.paddedCols,
    colsH: hidden.paddedCols,
    byteCounts: [3 * S * input.paddedCols, 4 * 3 * S * input.blocksPerRow, 3 * S * hidden.paddedCols, 4 * 3 * S * hidden.blocksPerRow, xqBytes],
    build(arena: KernelArena) {
      const exact = mode === 'float' ? 1 : 0;
      const packInput = packGateColumnsQ8(arena, input, weight, split, hiddenSize, S, 0, inputSize, 0);
      const packHidden = packGateColumnsQ8(arena, hidden, weight, split, hiddenSize, S, inputSize, hiddenSize, split.hiddenFirstBlock);
      const xq = arena.takeBytes(xqBytes);
      return {
        input: new Q8GateProduct(arena.kernels, packInput.weights, packInput.scales, input, xq, exact),
        hidden: new Q8GateProduct(arena.kernels, packHidden.weights, packHidden.scales, hidden, xq, exact),
      };
    },
  };
}

/** One int8 column block, row-major with rows padded to 16 columns and its scales in panels of 4 rows (packQ8). */
class Q8GateProduct implements GateProduct {
  private readonly kernels: KernelExports;
  private readonly weights: number;
  private readonly scales: number;
  private readonly layout: Q8Layout;
  /** int16 scratch of the integer product, shared by a kernel's two products. */
  private readonly xq: number;
  /** 1: widened-f32 product (matvec_q8_float); 0: integer product. */
  private readonly exact: number;

  constructor(kernels: KernelExports, weights: number, scales: number, layout: Q8Layout, xq: number, exact: number) {
    this.kernels = kernels;
    this.weights = weights;
    this.scales = scales;
    this.layout = layout;
    this.xq = xq;
    this.exact = exact;
  }

  multiply(firstRow: number, rows: number, v: number, bias: number, out: number): void {
    const { subPerRow, subPerBlock, paddedCols, blocksPerRow, activationLimit } = this.layout;
    // firstRow is a multiple of 4: a whole scale panel of 4·blocksPerRow floats per 4 rows.
    const weights = this.weights + firstRow * paddedCols;
    const scales = this.scales + 4 * firstRow * blocksPerRow;
    if (this.exact === 1) this.kernels.matvec_q8_float(weights, scales, rows, subPerRow, subPerBlock, v, bias, out);
    else this.kernels.matvec_q8(weights, scales, rows, subPerRow, subPerBlock, v, this.xq, activationLimit, bias, out);
  }
}

/**
 * Takes a part's weight and scale regions from the arena and packs into them
 * columns [colStart, colStart + colCount) of the int8 weight and their scales
 * (from block firstBlock on), gate block g's row u on row g·S + u. Cold
 * path: allocates a row-major staging copy of the part.
 */
function packGateColumnsQ8(
  arena: KernelArena,
  layout: Q8Layout,
  weight: Q8Parts,
  split: GateColumnSplit,
  H: number,
  S: number,
  colStart: number,
  colCount: number,
  firstBlock: number,
): { weights: number; scales: number } {
  const rows = 3 * S;
  const cols = weight.cols;
  const packedWeights = arena.takeInt8(rows * layout.paddedCols);
  const packedScales = arena.takeFloat32(rows * layout.blocksPerRow);
  const data = new Int8Array(rows * colCount);
  const source = weight.data;
  for (let g = 0; g < 3; g++) {
    for (let u = 0; u < H; u++) {
      const from = (g * H + u) * cols + colStart;
      data.set(source.subarray(from, from + colCount), (g * S + u) * colCount);
    }
  }
  const scales = gatherGateScales(weight.scales, split, H, S, firstBlock, layout.blocksPerRow);
  packQ8(packedWeights.view, packedScales.view, layout, rows, colCount, data, scales);
  return { weights: packedWeights.offset, scales: packedScales.offset };
}
