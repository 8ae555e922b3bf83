// Shared helpers of the stream benchmarks (bench/stream-*.mjs): load the
// library on any runtime, force a full GC, read the heap, name the runtime.
// Run them with a GC exposed:
//   node --expose-gc bench/stream-….mjs
//   deno run -A --v8-flags=--expose-gc bench/stream-….mjs
//   bun bench/stream-….mjs
import { buildLibrary } from './lib/build-library.mjs';

/** 'node', 'deno' or 'bun'. */
export const runtime = globalThis.Bun !== undefined ? 'bun' : globalThis.Deno !== undefined ? 'deno' : 'node';

/** The library: Deno and Bun run the TypeScript sources; Node (20, no type stripping) an esbuild bundle of them. */
export async function loadLibrary() {
  if (runtime === 'node') return import(await buildLibrary());
  return import('../src/index.ts');
}

/** A full, synchronous garbage collection. Throws when the runtime was started without an exposed GC. */
export function collectGarbage() {
  if (runtime === 'bun') {
    globalThis.Bun.gc(true);
    return;
  }
  if (typeof globalThis.gc !== 'function') {
    throw new Error(`no exposed GC: run with ${runtime === 'deno' ? 'deno run -A --v8-flags=--expose-gc' : 'node --expose-gc'}`);
  }
  globalThis.gc();
}

/**
 * Bytes the JavaScript heap holds plus memory outside it owned by JS objects
 * (typed-array backing stores): what a program's data costs. V8 (Node, Deno)
 * counts backing stores in `external` only; Bun (JavaScriptCore) counts them
 * in `heapUsed` and again in `external` (measured: 100 MB of Float32Arrays
 * add 100 MB to each), so there heapUsed alone is the total.
 */
export function heapBytes() {
  const usage = process.memoryUsage();
  return runtime === 'bun' ? usage.heapUsed : usage.heapUsed + usage.external;
}

/** Heap bytes right after a full collection: live data only. */
export function liveHeapBytes() {
  collectGarbage();
  return heapBytes();
}

/**
 * Live heap bytes once freed typed-array memory has really been returned:
 * V8 releases ArrayBuffer backing stores from a background task after a GC,
 * so a reading taken right after a big free can still count it.
 */
export async function settledLiveHeapBytes() {
  collectGarbage();
  await sleep(100);
  collectGarbage();
  await sleep(100);
  return liveHeapBytes();
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function megabytes(bytes) {
  return `${(bytes / 1048576).toFixed(3)} MB`;
}
