import v8 from 'node:v8';
import vm from 'node:vm';
import { runtimeName } from '../helpers/runtime.ts';

/**
 * A full, synchronous garbage collection, or null where this runtime offers
 * none to a test: Node exposes it through a V8 flag set at run time, Bun has
 * Bun.gc; under Deno the flag must be given at startup, which vitest's runner
 * does not do, so memory suites skip there (bench/stream-*.mjs covers Deno).
 */
export const collectGarbage: (() => void) | null = (() => {
  const runtime = runtimeName();
  if (runtime === 'bun') {
    const bun = (globalThis as unknown as { Bun: { gc(force: boolean): void } }).Bun;
    return () => bun.gc(true);
  }
  if (runtime === 'node') {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  }
  return null;
})();

/** Bytes of live JS heap plus typed-array memory after a full GC (see bench/stream-common.mjs heapBytes). */
export async function liveHeapBytes(): Promise<number> {
  const gc = collectGarbage as () => void;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 30));
  gc();
  const usage = process.memoryUsage();
  // Bun counts typed-array memory in heapUsed and again in external; V8 only in external.
  return runtimeName() === 'bun' ? usage.heapUsed : usage.heapUsed + usage.external;
}
