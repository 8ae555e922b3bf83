/**
 * out[r] = bias[r] + Σ_c W[r·cols + c] · x[xOffset + c], for r < rows.
 * W is row-major [rows × cols]; bias may be null. Returns out.
 * Cost: rows·cols multiply-adds, no allocation.
 */
export function matVecInto(
  out: Float32Array,
  W: Float32Array,
  rows: number,
  cols: number,
  x: Float32Array,
  xOffset: number,
  bias: Float32Array | null,
): Float32Array {
  // Four rows at a time: each x[c] load feeds four multiply-adds, and four
  // independent accumulators keep the floating-point pipeline busy.
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const base0 = r * cols;
    const base1 = base0 + cols;
    const base2 = base1 + cols;
    const base3 = base2 + cols;
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
    const base = r * cols;
    let sum = bias !== null ? bias[r] : 0;
    for (let c = 0; c < cols; c++) sum += W[base + c] * x[xOffset + c];
    out[r] = sum;
  }
  return out;
}

/**
 * out[outOffset + i] = Σ_{c < cols} W[wOffset + i·stride + c] · x[xOffset + c]
 * for i < rows: the product of a block of a larger row-major matrix whose
 * rows are `stride` apart (a GRU multiplies its input and hidden columns
 * separately). No bias. Returns out.
 * Cost: rows·cols multiply-adds, no allocation.
 */
export function matVecBlockInto(
  out: Float32Array,
  outOffset: number,
  W: Float32Array,
  wOffset: number,
  stride: number,
  rows: number,
  cols: number,
  x: Float32Array,
  xOffset: number,
): Float32Array {
  // Four rows at a time, as in matVecInto.
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const base0 = wOffset + r * stride;
    const base1 = base0 + stride;
    const base2 = base1 + stride;
    const base3 = base2 + stride;
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
    out[outOffset + r] = sum0;
    out[outOffset + r + 1] = sum1;
    out[outOffset + r + 2] = sum2;
    out[outOffset + r + 3] = sum3;
  }
  for (; r < rows; r++) {
    const base = wOffset + r * stride;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += W[base + c] * x[xOffset + c];
    out[outOffset + r] = sum;
  }
  return out;
}
