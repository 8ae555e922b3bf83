// One benchmark measurement in its own process (a fresh V8, so no kernel is
// specialized on another peer's sizes): verifies a peer's first steps, warms
// it up, then times repeated runs. Prints one JSON line.
// usage: node bench/worker.mjs '{"peer":"ours","options":{…},"hiddenSize":128,"numLayers":1,"repeatMs":150,"repeats":7}'
// Optional: "cell": "gru" | "gru-reset-before" (default "lstm"); "probe": true
// to measure the heap growth of stepping afterwards (needs --expose-gc and a
// peer whose run is synchronous, i.e. ours).
import { PerformanceObserver } from 'node:perf_hooks';
import { LIBRARY_BUNDLE } from './lib/build-library.mjs';
import { benchArchitecture, benchInputs, benchSeed, VERIFY_STEPS } from './lib/workload.mjs';

const spec = JSON.parse(process.argv[2]);
const library = await import(LIBRARY_BUNDLE);
const { hiddenSize, numLayers } = spec;
const cell = spec.cell ?? 'lstm';
const model = library.createRandomModel(benchArchitecture(hiddenSize, numLayers, cell), { seed: benchSeed(hiddenSize, numLayers) });
const inputs = benchInputs(hiddenSize);
const { createPeer } = await import(`./peers/${spec.peer}.mjs`);
const peer = await createPeer({ library, hiddenSize, numLayers, cell, inputs, model, options: spec.options ?? {} });

const verify = [];
peer.reset();
for (let t = 0; t < VERIFY_STEPS; t++) verify.push(Array.from(await peer.step(t)));

// Warm up (JIT tiers, caches) for at least 300 ms, then size one repeat.
peer.reset();
let t = 0;
let steps = 16;
let checksum = 0;
const warmStart = performance.now();
while (performance.now() - warmStart < 300) {
  const start = performance.now();
  checksum += await peer.run(steps, t);
  t += steps;
  if (performance.now() - start < 30) steps *= 2;
}
const calibrateStart = performance.now();
checksum += await peer.run(steps, t);
t += steps;
const perStepMs = (performance.now() - calibrateStart) / steps;
const repeatSteps = Math.max(20, Math.round(spec.repeatMs / perStepMs));

let gcCount = 0;
const observer = new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
});
// Collect setup garbage first, so a count > 0 means garbage made while stepping.
globalThis.gc?.();
observer.observe({ entryTypes: ['gc'] });
const microsecondsPerStep = [];
for (let r = 0; r < spec.repeats; r++) {
  const start = performance.now();
  checksum += await peer.run(repeatSteps, t);
  microsecondsPerStep.push(((performance.now() - start) * 1000) / repeatSteps);
  t += repeatSteps;
}
await new Promise((resolve) => setTimeout(resolve, 20));
observer.disconnect();

// The allocation probe (like test/helpers/allocation-probe.ts): heap growth and
// collections over about a second of steps, read without collecting; up to 5
// attempts, keeping the cleanest (a compile landing mid-reading adds heap).
// A real allocation of ≥ 16 bytes a step shows in every attempt.
let probe = null;
if (spec.probe && peer.sync && globalThis.gc) {
  const steps = Math.max(2000, Math.round(1000 / perStepMs));
  for (let attempt = 0; attempt < 5; attempt++) {
    let collections = 0;
    const probeObserver = new PerformanceObserver((list) => {
      collections += list.getEntries().length;
    });
    probeObserver.observe({ entryTypes: ['gc'] });
    globalThis.gc();
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    collections = 0;
    const before = process.memoryUsage().heapUsed;
    checksum += peer.run(steps, t);
    const after = process.memoryUsage().heapUsed;
    t += steps;
    await new Promise((resolve) => setTimeout(resolve, 50));
    probeObserver.disconnect();
    const reading = { steps, heapGrowth: after - before, garbageCollections: collections };
    if (probe === null || reading.garbageCollections < probe.garbageCollections || (reading.garbageCollections === probe.garbageCollections && reading.heapGrowth < probe.heapGrowth)) probe = reading;
    if (probe.garbageCollections === 0 && probe.heapGrowth < 16 * 1024) break;
  }
}
process.stdout.write(`${JSON.stringify({ describe: peer.describe, verify, microsecondsPerStep, repeatSteps, gcCount, probe, checksum })}\n`);
