import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Session } from '../../src/index.ts';

/** What stepping a session did to the heap: growth in bytes and garbage collections seen. */
export interface AllocationReading {
  readonly heapGrowth: number;
  readonly garbageCollections: number;
  /** A sum over the outputs, so the steps cannot be optimized away. */
  readonly checksum: number;
}

/**
 * Steps a session `steps` times on a fixed token sequence and reads the heap
 * without collecting (Node only: V8's gc() and 'gc' performance entries).
 * It warms up first through many short calls of the same loop, so the loop
 * itself (not only an on-stack replacement of it) is optimized. Compiled code
 * lives on the heap too, and on a loaded machine an optimizing compile can
 * still land during a measurement; so it measures up to `attempts` times,
 * warming up again after an unclean reading, and keeps the cleanest one. A
 * real per-step allocation (≥ 16 bytes a step) shows in every attempt.
 */
export async function measureStepAllocation(session: Pick<Session, "step">, steps: number, vocabSize: number, attempts = 5): Promise<AllocationReading> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let checksum = 0;
  for (let call = 0; call < 30; call++) checksum += runSteps(session, Math.ceil(steps / 50), call, vocabSize);
  let best: AllocationReading | null = null;
  for (let attempt = 0; attempt < attempts; attempt++) {
    let garbageCollections = 0;
    const observer = new PerformanceObserver((list) => {
      garbageCollections += list.getEntries().length;
    });
    observer.observe({ entryTypes: ['gc'] });
    gc();
    gc();
    // Let the observer deliver the forced collections' entries before counting.
    await new Promise((resolve) => setTimeout(resolve, 50));
    garbageCollections = 0;
    const before = process.memoryUsage().heapUsed;
    checksum += runSteps(session, steps, 2, vocabSize);
    const after = process.memoryUsage().heapUsed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    observer.disconnect();
    const reading = { heapGrowth: after - before, garbageCollections, checksum };
    if (best === null || reading.garbageCollections < best.garbageCollections || (reading.garbageCollections === best.garbageCollections && reading.heapGrowth < best.heapGrowth)) {
      best = reading;
    }
    if (best.garbageCollections === 0 && best.heapGrowth < 16 * 1024) break;
    // Not clean yet: under emulation (qemu) on a busy machine the optimizing compile can still be
    // pending, and unoptimized code boxes floats on 32-bit engines; warm up again before retrying.
    for (let call = 0; call < 30; call++) checksum += runSteps(session, Math.ceil(steps / 50), call, vocabSize);
  }
  return best as AllocationReading;
}

// Running totals stay in locals: a module-level number would be boxed on every store.
function runSteps(session: Pick<Session, "step">, steps: number, seed: number, vocabSize: number): number {
  let token = seed % vocabSize;
  let checksum = 0;
  for (let i = 0; i < steps; i++) {
    const logits = session.step(token);
    checksum += logits[token % logits.length];
    token = (token * 167 + 13) % vocabSize;
  }
  return checksum;
}
