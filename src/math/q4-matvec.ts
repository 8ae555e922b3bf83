/**
 * The 4-bit matrix-vector product with symmetric block scales, the
 * reference kernel behind Q4Matrix:
 *
 *   out[r] = bias[r] + Σ_b scales[r·B + b] · Σ_{c in block b} q(r, c) · x[xOffset + c]
 *
 * q(r, c) is a signed 4-bit value: row r's nibbles start at byte
 * r·rowStride of W (rowStride ≥ ceil(cols / 2), by default equal), column c is the low nibble (c even) or the high
 * nibble (c odd) of byte r·ceil(cols / 2) + floor(c / 2), in two's
 * complement (-8 … 7). blockSize must be even, so a block never starts
 * mid-byte. bias may be null. Returns out.
 * Cost: rows·cols multiply-adds plus rows·B scale multiplies; no allocation.
 */
export function q4MatVecInto(
  out: Float32Array,
  W: Uint8Array,
  scales: Float32Array,
  rows: number,
  cols: number,
  blockSize: number,
  x: Float32Array,
  xOffset: number,
  bias: Float32Array | null,
  rowStride: number = (cols + 1) >> 1,
): Float32Array {
  const rowBytes = rowStride;
  const blocksPerRow = Math.ceil(cols / blockSize);
  const pairs = cols >> 1;
  for (let r = 0; r < rows; r++) {
    const base = r * rowBytes;
    const scaleBase = r * blocksPerRow;
    let sum = 0;
    for (let b = 0; b < blocksPerRow; b++) {
      // Whole bytes of this block: pairs [firstPair, endPair).
      const firstPair = (b * blockSize) >> 1;
      const endPair = Math.min(firstPair + (blockSize >> 1), pairs);
      let blockSum = 0;
      for (let p = firstPair; p < endPair; p++) {
        const byte = W[base + p];
        const c = xOffset + 2 * p;
        blockSum += (((byte & 15) ^ 8) - 8) * x[c] + (((byte >> 4) ^ 8) - 8) * x[c + 1];
      }
      if (endPair === pairs && (cols & 1) === 1 && b === blocksPerRow - 1) {
        blockSum += (((W[base + pairs] & 15) ^ 8) - 8) * x[xOffset + cols - 1]; // odd column count: the last low nibble
      }
      sum += blockSum * scales[scaleBase + b];
    }
    out[r] = bias !== null ? sum + bias[r] : sum;
  }
  return out;
}

/**
 * The 4-bit product of one block of the matrix, without bias:
 * out[outOffset + i] = Σ_{c in [colStart, colStart + colCount)} q(r, c) · scale(r, c) · x[xOffset + c − colStart],
 * r = rowStart + i, for i < rowCount. Same packing as {@link q4MatVecInto};
 * rows rowStride bytes apart; the range may start on an odd column and straddle scale blocks, so it
 * reads one nibble at a time. Returns out.
 * Cost: rowCount·colCount multiply-adds plus a scale multiply per block touched; no allocation.
 */
export function q4MatVecBlockInto(
  out: Float32Array,
  outOffset: number,
  W: Uint8Array,
  scales: Float32Array,
  cols: number,
  blockSize: number,
  rowStart: number,
  rowCount: number,
  colStart: number,
  colCount: number,
  x: Float32Array,
  xOffset: number,
  rowStride: number = (cols + 1) >> 1,
): Float32Array {
  const rowBytes = rowStride;
  const blocksPerRow = Math.ceil(cols / blockSize);
  const colEnd = colStart + colCount;
  const shift = xOffset - colStart;
  for (let i = 0; i < rowCount; i++) {
    const r = rowStart + i;
    const base = r * rowBytes;
    let sum = 0;
    for (let c = colStart; c < colEnd; ) {
      const b = Math.floor(c / blockSize);
      const end = Math.min((b + 1) * blockSize, colEnd);
      let blockSum = 0;
      for (; c < end; c++) {
        const nibble = (W[base + (c >> 1)] >> ((c & 1) << 2)) & 15;
        blockSum += ((nibble ^ 8) - 8) * x[shift + c];
      }
      sum += blockSum * scales[r * blocksPerRow + b];
    }
    out[outOffset + i] = sum;
  }
  return out;
}
