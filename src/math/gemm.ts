/**
 * Matrix-matrix kernels for the trainer, in plain TypeScript (a WebAssembly
 * SIMD build with the same signatures may replace them). Every matrix is a
 * row-major view into a Float32Array given by (array, offset, leading
 * dimension = elements between the starts of two rows), so a kernel can read
 * a block of a larger matrix (for example the h-columns of a fused LSTM
 * weight) without copying it.
 *
 * The one hot kernel is {@link gemmNTInto} (both operands read along rows, so
 * every inner loop is a contiguous dot product); the other products are
 * expressed through it after a {@link transposeInto}, which costs O(rows·cols)
 * against the product's O(m·n·k).
 */

/**
 * out[i, j] = (accumulate ? out[i, j] : 0) + Σ_p a[i, p] · b[j, p]
 * for i < m, j < n, p < k; that is out = a · bᵀ (+ out).
 * a is [m × k] at aOffset with row stride lda; b is [n × k] at bOffset with
 * row stride ldb; out is [m × n] at outOffset with row stride ldOut.
 * Returns out. Cost: m·n·k multiply-adds, no allocation.
 */
export function gemmNTInto(
  out: Float32Array,
  outOffset: number,
  ldOut: number,
  a: Float32Array,
  aOffset: number,
  lda: number,
  b: Float32Array,
  bOffset: number,
  ldb: number,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
): Float32Array {
  // Register block of 4 rows of a × 4 rows of b: 8 loads feed 16 multiply-adds
  // and the 16 independent sums keep the FPU busy (measured ~10% faster than
  // 2 × 4 on V8, x64). The b block (4·k floats) stays in L1 while i walks over a.
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = bOffset + j * ldb;
    const b1 = b0 + ldb;
    const b2 = b1 + ldb;
    const b3 = b2 + ldb;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = aOffset + i * lda;
      const a1 = a0 + lda;
      const a2 = a1 + lda;
      const a3 = a2 + lda;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
      let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let p = 0; p < k; p++) {
        const y0 = b[b0 + p];
        const y1 = b[b1 + p];
        const y2 = b[b2 + p];
        const y3 = b[b3 + p];
        const x0 = a[a0 + p];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        const x1 = a[a1 + p];
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        const x2 = a[a2 + p];
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        const x3 = a[a3 + p];
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      const o0 = outOffset + i * ldOut + j;
      const o1 = o0 + ldOut;
      const o2 = o1 + ldOut;
      const o3 = o2 + ldOut;
      if (accumulate) {
        out[o0] += s00; out[o0 + 1] += s01; out[o0 + 2] += s02; out[o0 + 3] += s03;
        out[o1] += s10; out[o1 + 1] += s11; out[o1 + 2] += s12; out[o1 + 3] += s13;
        out[o2] += s20; out[o2 + 1] += s21; out[o2 + 2] += s22; out[o2 + 3] += s23;
        out[o3] += s30; out[o3 + 1] += s31; out[o3 + 2] += s32; out[o3 + 3] += s33;
      } else {
        out[o0] = s00; out[o0 + 1] = s01; out[o0 + 2] = s02; out[o0 + 3] = s03;
        out[o1] = s10; out[o1 + 1] = s11; out[o1 + 2] = s12; out[o1 + 3] = s13;
        out[o2] = s20; out[o2 + 1] = s21; out[o2 + 2] = s22; out[o2 + 3] = s23;
        out[o3] = s30; out[o3 + 1] = s31; out[o3 + 2] = s32; out[o3 + 3] = s33;
      }
    }
    for (; i < m; i++) {
      const a0 = aOffset + i * lda;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p];
        s0 += x0 * b[b0 + p];
        s1 += x0 * b[b1 + p];
        s2 += x0 * b[b2 + p];
        s3 += x0 * b[b3 + p];
      }
      const o0 = outOffset + i * ldOut + j;
      if (accumulate) {
        out[o0] += s0; out[o0 + 1] += s1; out[o0 + 2] += s2; out[o0 + 3] += s3;
      } else {
        out[o0] = s0; out[o0 + 1] = s1; out[o0 + 2] = s2; out[o0 + 3] = s3;
      }
    }
  }
  for (; j < n; j++) {
    const b0 = bOffset + j * ldb;
    for (let i = 0; i < m; i++) {
      const a0 = aOffset + i * lda;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p] * b[b0 + p];
      const o = outOffset + i * ldOut + j;
      out[o] = accumulate ? out[o] + s : s;
    }
  }
  return out;
}

/**
 * out[j, i] = a[i, j] for i < rows, j < cols: a is [rows × cols] at aOffset
 * with row stride lda; out is [cols × rows] at outOffset with row stride ldOut.
 * Returns out. Cost: rows·cols copies, no allocation.
 */
export function transposeInto(
  out: Float32Array,
  outOffset: number,
  ldOut: number,
  a: Float32Array,
  aOffset: number,
  lda: number,
  rows: number,
  cols: number,
): Float32Array {
  // 8×8 tiles so both the reads and the writes stay within a few cache lines.
  const tile = 8;
  for (let i0 = 0; i0 < rows; i0 += tile) {
    const iEnd = Math.min(i0 + tile, rows);
    for (let j0 = 0; j0 < cols; j0 += tile) {
      const jEnd = Math.min(j0 + tile, cols);
      for (let i = i0; i < iEnd; i++) {
        const row = aOffset + i * lda;
        for (let j = j0; j < jEnd; j++) out[outOffset + j * ldOut + i] = a[row + j];
      }
    }
  }
  return out;
}

/**
 * out[j] += Σ_i a[i, j] for i < rows, j < cols (column sums, e.g. a bias
 * gradient over a batch). a is [rows × cols] at aOffset with row stride lda.
 * Returns out. Cost: rows·cols adds, no allocation.
 */
export function addColumnSumsInto(
  out: Float32Array,
  a: Float32Array,
  aOffset: number,
  lda: number,
  rows: number,
  cols: number,
): Float32Array {
  for (let i = 0; i < rows; i++) {
    const row = aOffset + i * lda;
    for (let j = 0; j < cols; j++) out[j] += a[row + j];
  }
  return out;
}
