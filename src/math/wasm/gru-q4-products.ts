import type { KernelArena } from './kernel-arena.ts';
import type { KernelExports } from './kernel-module.ts';
import { gatherGateScales, splitGateColumns, type GateColumnSplit, type GateProduct, type GateProductsPlan } from './gru-products.ts';
import { q4Layout, type Q4Layout, type Q4Parts } from './q4-packing.ts';
import type { Q8KernelMode } from './q8-matvec-kernel.ts';

/**
 * The 4-bit products of a GRU kernel over a fused weight [3H × (I + H)]
 * (Q4Matrix parts), or null when its scale blocks cannot be packed for
 * matvec_q4: see splitGateColumns and q4Layout (blocks of 32 columns or
 * more, or one scale per row). Memory: 3S·(I' + H')/2 bytes of nibbles
 * (I', H' rounded up to 32), their scales, and 6·max(I', H') bytes of
 * scratch (x de-interleaved, then as int16). Cost: O(1) until build.
 */
export function planQ4GateProducts(inputSize: number, hiddenSize: number, S: number, weight: Q4Parts, mode: Q8KernelMode): GateProductsPlan | null {
  const split = splitGateColumns(inputSize, hiddenSize, weight.blockSize);
  if (split === null) return null;
  const input = q4Layout(3 * S, inputSize, split.inputBlockSize);
  const hidden = q4Layout(3 * S, hiddenSize, split.hiddenBlockSize);
  if (input === null || hidden === null) return null;
  const widest = Math.max(input.paddedCols, hidden.paddedCols);
  return {
    colsX: input.paddedCols,
    colsH: hidden.paddedCols,
    byteCounts: [3 * S * input.paddedCols / 2, 4 * 3 * S * input.blocksPerRow, 3 * S * hidden.paddedCols / 2, 4 * 3 * S * hidden.blocksPerRow, 4 * widest, 2 * widest],
    build(arena: KernelArena) {
      const exact = mode === 'float' ? 1 : 0;
      const packInput = packGateColumnsQ4(arena, input, weight, split, hiddenSize, S, 0, inputSize, 0);
      const packHidden = packGateColumnsQ4(arena, hidden, weight, split, hiddenSize, S, inputSize, hiddenSize, split.hiddenFirstBlock);
      const xd = arena.takeBytes(4 * widest);
      const xq = arena.takeBytes(2 * widest);
      return {
        input: new Q4GateProduct(arena.kernels, packInput.data, packInput.scales, input, xd, xq, exact),
        hidden: new Q4GateProduct(arena.kernels, packHidden.data, packHidden.scales, hidden, xd, xq, exact),
      };
    },
  };
}

/** One 4-bit column block: nibbles row-major in rows of chunks·16 bytes, scales row-major (packQ4's layout). */
class Q4GateProduct implements GateProduct {
  private readonly kernels: KernelExports;
  private readonly data: number;
  private readonly scales: number;
  private readonly layout: Q4Layout;
  /** f32 scratch for v de-interleaved per chunk, shared by a kernel's two products. */
  private readonly xd: number;
  /** int16 scratch of the integer product, likewise shared. */
  private readonly xq: number;
  /** 1: widened-f32 product; 0: integer product. */
  private readonly exact: number;

  constructor(kernels: KernelExports, data: number, scales: number, layout: Q4Layout, xd: number, xq: number, exact: number) {
    this.kernels = kernels;
    this.data = data;
    this.scales = scales;
    this.layout = layout;
    this.xd = xd;
    this.xq = xq;
    this.exact = exact;
  }

  multiply(firstRow: number, rows: number, v: number, bias: number, out: number): void {
    const { chunks, chunkPerBlock, blocksPerRow, activationLimit } = this.layout;
    const data = this.data + firstRow * chunks * 16;
    const scales = this.scales + 4 * firstRow * blocksPerRow;
    this.kernels.matvec_q4(data, scales, rows, chunks, chunkPerBlock, blocksPerRow, v, this.xd, this.xq, activationLimit, this.exact, bias, out);
  }
}

/**
 * Takes a part's nibble and scale regions from the arena and writes into
 * them, in packQ4's layout, columns [colStart, colStart + colCount) of the
 * 4-bit weight and their scales (from block firstBlock on), gate block g's
 * row u on row g·S + u; padding stays zero. Nibble by nibble, not packQ4's
 * row copies: colStart may be odd (one scale per row and an odd I), and then
 * every column changes its half of a byte. Cold path: allocates the
 * gathered scales.
 */
function packGateColumnsQ4(
  arena: KernelArena,
  layout: Q4Layout,
  weight: Q4Parts,
  split: GateColumnSplit,
  H: number,
  S: number,
  colStart: number,
  colCount: number,
  firstBlock: number,
): { data: number; scales: number } {
  const rows = 3 * S;
  const rowBytes = layout.paddedCols / 2;
  const packedData = arena.takeUint8(rows * rowBytes);
  const packedScales = arena.takeFloat32(rows * layout.blocksPerRow);
  const data = packedData.view;
  const source = weight.data;
  const stride = weight.dataRowStride;
  for (let g = 0; g < 3; g++) {
    for (let u = 0; u < H; u++) {
      const from = (g * H + u) * stride;
      const to = (g * S + u) * rowBytes;
      for (let c = 0; c < colCount; c++) {
        const column = colStart + c;
        const nibble = (source[from + (column >> 1)] >> ((column & 1) * 4)) & 15;
        data[to + (c >> 1)] |= nibble << ((c & 1) * 4);
      }
    }
  }
  packedScales.view.set(gatherGateScales(weight.scales, split, H, S, firstBlock, layout.blocksPerRow));
  return { data: packedData.offset, scales: packedScales.offset };
}
