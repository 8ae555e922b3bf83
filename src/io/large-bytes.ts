const WASM_PAGE_BYTES = 65536;
/** Below this, a plain ArrayBuffer: a page-granular memory would waste up to 64 KiB per block. */
const LARGE_BLOCK_BYTES = 1 << 20;

/**
 * A zeroed byte array of `byteLength` for a large block (a model file being
 * read, a decoded weight tensor). From 1 MiB on it lies in WebAssembly memory
 * pages, which the engine maps straight from the system and unmaps when the
 * block is collected, where a plain ArrayBuffer of a few MiB comes from the C
 * allocator, which after a first large free keeps such blocks in its heap and
 * so leaves them resident after they are dropped (glibc's adaptive mmap
 * threshold). The array is a view of exactly byteLength bytes at offset 0 of
 * a buffer rounded up to 64 KiB; its `.buffer` cannot be transferred to a
 * worker. Falls back to a plain array where WebAssembly is missing or the
 * memory cannot be had. Cost: the block, rounded up to 64 KiB.
 */
export function largeBytes(byteLength: number): Uint8Array {
  if (byteLength >= LARGE_BLOCK_BYTES && typeof WebAssembly === 'object') {
    const pages = Math.ceil(byteLength / WASM_PAGE_BYTES);
    try {
      return new Uint8Array(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, byteLength);
    } catch {
      // No memory of that size here (address space, engine limits): the plain array below.
    }
  }
  return new Uint8Array(byteLength);
}
