/**
 * Writes the indices of the k largest values of x[0 … length) into
 * outIndices[0 … k), largest first (ties: lower index first), and their values
 * into outValues when given. k = min(outIndices.length, length).
 * Returns k. Cost: O(length · log k) compares, no allocation.
 */
export function topKInto(
  outIndices: Int32Array,
  outValues: Float32Array | null,
  x: Float32Array,
  length: number = x.length,
): number {
  const k = Math.min(outIndices.length, length);
  if (k <= 0) return 0;
  // A min-heap of the k best seen so far lives in outIndices; its root is the
  // weakest, so each new candidate costs one compare unless it beats it.
  for (let i = 0; i < k; i++) {
    outIndices[i] = i;
    siftUp(outIndices, x, i);
  }
  for (let i = k; i < length; i++) {
    if (better(x, i, outIndices[0])) {
      outIndices[0] = i;
      siftDown(outIndices, x, 0, k);
    }
  }
  // Heap sort in place: repeatedly move the weakest to the end.
  for (let end = k - 1; end > 0; end--) {
    const root = outIndices[0];
    outIndices[0] = outIndices[end];
    outIndices[end] = root;
    siftDown(outIndices, x, 0, end);
  }
  if (outValues !== null) for (let i = 0; i < k; i++) outValues[i] = x[outIndices[i]];
  return k;
}

/** True when element a ranks above element b: larger value, or equal value and lower index. */
function better(x: Float32Array, a: number, b: number): boolean {
  const va = x[a];
  const vb = x[b];
  // NaN never ranks above anything, so a NaN logit cannot displace a real one.
  return va > vb || (va === vb && a < b) || (vb !== vb && va === va);
}

function siftUp(heap: Int32Array, x: Float32Array, index: number): void {
  let i = index;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!better(x, heap[parent], heap[i])) break;
    const t = heap[parent];
    heap[parent] = heap[i];
    heap[i] = t;
    i = parent;
  }
}

function siftDown(heap: Int32Array, x: Float32Array, index: number, size: number): void {
  let i = index;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) return;
    const right = left + 1;
    let weakest = left;
    if (right < size && better(x, heap[left], heap[right])) weakest = right;
    if (!better(x, heap[i], heap[weakest])) return;
    const t = heap[i];
    heap[i] = heap[weakest];
    heap[weakest] = t;
    i = weakest;
  }
}
