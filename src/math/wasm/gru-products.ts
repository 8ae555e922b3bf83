import type { KernelArena } from './kernel-arena.ts';

/**
 * One quantized column block of a GRU weight in a kernel's memory: the input
 * columns [3S × I] or the hidden ones [3S × H], gate block g's row u on
 * packed row g·S + u (S = H rounded up to 8, so every gate block starts on
 * a 4-row panel). gru-q8-products.ts and gru-q4-products.ts implement it, so
 * GruLayerKernel runs one step sequence for both dtypes.
 */
export interface GateProduct {
  /**
   * out [rows] = bias + rows [firstRow, firstRow + rows) of W·v, all byte
   * offsets into the kernel's memory; firstRow and rows multiples of 4, v
   * zero past its real columns. Cost: one kernel call; no allocation.
   */
  multiply(firstRow: number, rows: number, v: number, bias: number, out: number): void;
}

/** A GRU kernel's two quantized products: the input columns' and the hidden columns'. */
export interface GateProducts {
  readonly input: GateProduct;
  readonly hidden: GateProduct;
}

/**
 * A GRU kernel's two quantized products, laid out but not yet placed: the
 * kernel sizes its arena from {@link byteCounts} and the scratch that
 * {@link colsX} and {@link colsH} call for, then {@link build} packs the weights.
 */
export interface GateProductsPlan {
  /** Padded columns of x: the input product reads this many f32 from it. */
  readonly colsX: number;
  /** Padded columns of h and r ⊙ h, likewise for the hidden product. */
  readonly colsH: number;
  /** Bytes of the regions build takes from the arena, in order. */
  readonly byteCounts: readonly number[];
  /** Takes its regions from the arena and packs the weights into them. Cold path: allocates staging copies. */
  build(arena: KernelArena): GateProducts;
}

/** How a fused [3H × (I + H)] weight's scale blocks fall on its input and hidden columns. */
export interface GateColumnSplit {
  /** The block size the input columns are packed with: I when the weight has one scale per row. */
  readonly inputBlockSize: number;
  /** Likewise for the hidden columns: H with one scale per row. */
  readonly hiddenBlockSize: number;
  /** Scales per row of the fused weight. */
  readonly blocksPerRow: number;
  /** The fused row's block where the hidden columns start. */
  readonly hiddenFirstBlock: number;
}

/**
 * The split of a fused GRU weight with blocks of `blockSize` columns into
 * its input and hidden parts, or null when a block straddles the boundary
 * (I not a multiple of the block): the kernels multiply the two parts
 * apart, and a part must own whole blocks. One scale per row (a block as
 * wide as the row) always splits: both parts take the row's scale. Whether
 * the parts' blocks suit a kernel is the packing's own question (q8Layout,
 * q4Layout). Cost: O(1).
 */
export function splitGateColumns(inputSize: number, hiddenSize: number, blockSize: number): GateColumnSplit | null {
  const perRow = blockSize >= inputSize + hiddenSize;
  if (!perRow && inputSize % blockSize !== 0) return null;
  return {
    inputBlockSize: perRow ? inputSize : blockSize,
    hiddenBlockSize: perRow ? hiddenSize : blockSize,
    blocksPerRow: Math.ceil((inputSize + hiddenSize) / blockSize),
    hiddenFirstBlock: perRow ? 0 : inputSize / blockSize,
  };
}

/**
 * The scales of one part's blocks, row-major [3S × partBlocks] with the
 * packed row order (gate block g's row u on row g·S + u; padding rows
 * zero), taken from the fused weight's scales [3H × blocksPerRow] from
 * block firstBlock on. Cold path: allocates the result.
 */
export function gatherGateScales(scales: Float32Array, split: GateColumnSplit, hiddenSize: number, S: number, firstBlock: number, partBlocks: number): Float32Array {
  const out = new Float32Array(3 * S * partBlocks);
  for (let g = 0; g < 3; g++) {
    for (let u = 0; u < hiddenSize; u++) {
      const source = (g * hiddenSize + u) * split.blocksPerRow + firstBlock;
      out.set(scales.subarray(source, source + partBlocks), (g * S + u) * partBlocks);
    }
  }
  return out;
}
