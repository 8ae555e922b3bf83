/**
 * The int8 matrix-vector product with symmetric scales, the reference (and
 * fallback) kernel behind Q8Matrix:
 *
 *   out[r] = bias[r] + Σ_b scales[r·B + b] · Σ_{c in block b} W[r·cols + c] · x[xOffset + c]
 *
 * W is row-major int8 [rows × cols], its rows `rowStride` (default cols)
 * elements apart; each row is cut into blocks of `blockSize` columns (the
 * last may be shorter), B = ceil(cols / blockSize) blocks per row, one f32
 * scale each. blockSize ≥ cols means one scale per row. bias may be null.
 * Returns out.
 * Cost: rows·cols multiply-adds plus rows·B scale multiplies; no allocation.
 */
export function q8MatVecInto(
  out: Float32Array,
  W: Int8Array,
  scales: Float32Array,
  rows: number,
  cols: number,
  blockSize: number,
  x: Float32Array,
  xOffset: number,
  bias: Float32Array | null,
  rowStride: number = cols,
): Float32Array {
  if (blockSize >= cols) return q8RowScaledInto(out, W, scales, rows, cols, x, xOffset, bias, rowStride);
  const blocksPerRow = Math.ceil(cols / blockSize);
  for (let r = 0; r < rows; r++) {
    const base = r * rowStride;
    const scaleBase = r * blocksPerRow;
    let sum = 0;
    for (let b = 0; b < blocksPerRow; b++) {
      const start = b * blockSize;
      const end = start + blockSize < cols ? start + blockSize : cols;
      let blockSum = 0;
      for (let c = start; c < end; c++) blockSum += W[base + c] * x[xOffset + c];
      sum += blockSum * scales[scaleBase + b];
    }
    out[r] = bias !== null ? sum + bias[r] : sum;
  }
  return out;
}

/** One scale per row: the scale multiplies once per row, after the integer-weighted sum. */
function q8RowScaledInto(
  out: Float32Array,
  W: Int8Array,
  scales: Float32Array,
  rows: number,
  cols: number,
  x: Float32Array,
  xOffset: number,
  bias: Float32Array | null,
  rowStride: number,
): Float32Array {
  // Four rows at a time, as the f32 kernel does: each x[c] load feeds four
  // multiply-adds and four independent accumulators keep the pipeline busy.
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const base0 = r * rowStride;
    const base1 = base0 + rowStride;
    const base2 = base1 + rowStride;
    const base3 = base2 + rowStride;
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (let c = 0; c < cols; c++) {
      const xc = x[xOffset + c];
      sum0 += W[base0 + c] * xc;
      sum1 += W[base1 + c] * xc;
      sum2 += W[base2 + c] * xc;
      sum3 += W[base3 + c] * xc;
    }
    sum0 *= scales[r];
    sum1 *= scales[r + 1];
    sum2 *= scales[r + 2];
    sum3 *= scales[r + 3];
    if (bias !== null) {
      sum0 += bias[r];
      sum1 += bias[r + 1];
      sum2 += bias[r + 2];
      sum3 += bias[r + 3];
    }
    out[r] = sum0;
    out[r + 1] = sum1;
    out[r + 2] = sum2;
    out[r + 3] = sum3;
  }
  for (; r < rows; r++) {
    const base = r * rowStride;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += W[base + c] * x[xOffset + c];
    sum *= scales[r];
    out[r] = bias !== null ? sum + bias[r] : sum;
  }
  return out;
}

/**
 * The int8 product of one block of the matrix, without bias:
 *
 *   out[outOffset + i] = Σ_{c in [colStart, colStart + colCount)} scale(r, c) · W[r·cols + c] · x[xOffset + c − colStart],  r = rowStart + i
 *
 * for i < rowCount, where scale(r, c) is the scale of the block holding
 * column c (a block may straddle the range's edges: its scale applies to the
 * part inside). Same layout as {@link q8MatVecInto}, rows `rowStride`
 * (default cols) elements apart. Returns out.
 * Cost: rowCount·colCount multiply-adds plus a scale multiply per block touched; no allocation.
 */
export function q8MatVecBlockInto(
  out: Float32Array,
  outOffset: number,
  W: Int8Array,
  scales: Float32Array,
  cols: number,
  blockSize: number,
  rowStart: number,
  rowCount: number,
  colStart: number,
  colCount: number,
  x: Float32Array,
  xOffset: number,
  rowStride: number = cols,
): Float32Array {
  const blocksPerRow = Math.ceil(cols / blockSize);
  const colEnd = colStart + colCount;
  const shift = xOffset - colStart;
  if (blocksPerRow === 1) {
    // One scale per row: four rows at a time, the scale applied once per row.
    let i = 0;
    for (; i + 4 <= rowCount; i += 4) {
      const r = rowStart + i;
      const base0 = r * rowStride;
      const base1 = base0 + rowStride;
      const base2 = base1 + rowStride;
      const base3 = base2 + rowStride;
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      for (let c = colStart; c < colEnd; c++) {
        const xc = x[shift + c];
        sum0 += W[base0 + c] * xc;
        sum1 += W[base1 + c] * xc;
        sum2 += W[base2 + c] * xc;
        sum3 += W[base3 + c] * xc;
      }
      out[outOffset + i] = sum0 * scales[r];
      out[outOffset + i + 1] = sum1 * scales[r + 1];
      out[outOffset + i + 2] = sum2 * scales[r + 2];
      out[outOffset + i + 3] = sum3 * scales[r + 3];
    }
    for (; i < rowCount; i++) {
      const r = rowStart + i;
      const base = r * rowStride;
      let sum = 0;
      for (let c = colStart; c < colEnd; c++) sum += W[base + c] * x[shift + c];
      out[outOffset + i] = sum * scales[r];
    }
    return out;
  }
  for (let i = 0; i < rowCount; i++) {
    const r = rowStart + i;
    const base = r * rowStride;
    let sum = 0;
    for (let c = colStart; c < colEnd; ) {
      const b = Math.floor(c / blockSize);
      const end = Math.min((b + 1) * blockSize, colEnd);
      let blockSum = 0;
      for (; c < end; c++) blockSum += W[base + c] * x[shift + c];
      sum += blockSum * scales[r * blocksPerRow + b];
    }
    out[outOffset + i] = sum;
  }
  return out;
}
