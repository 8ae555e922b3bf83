// One benchmark measurement in its own process (a fresh V8, so no kernel is
// specialized on another peer's sizes): verifies a peer's first steps, warms
// it up, then times repeated runs. Prints one JSON line.
// usage: node bench/worker.mjs '{"peer":"ours","options":{…},"hiddenSize":128,"numLayers":1,"repeatMs":150,"repeats":7}'
import { PerformanceObserver } from 'node:perf_hooks';
import { LIBRARY_BUNDLE } from './lib/build-library.mjs';
import { benchArchitecture, benchInputs, benchSeed, VERIFY_STEPS } from './lib/workload.mjs';

const spec = JSON.parse(process.argv[2]);
const library = await import(LIBRARY_BUNDLE);
const { hiddenSize, numLayers } = spec;
const model = library.createRandomModel(benchArchitecture(hiddenSize, numLayers), { seed: benchSeed(hiddenSize, numLayers) });
const inputs = benchInputs(hiddenSize);
const { createPeer } = await import(`./peers/${spec.peer}.mjs`);
const peer = await createPeer({ library, hiddenSize, numLayers, inputs, model, options: spec.options ?? {} });

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
process.stdout.write(`${JSON.stringify({ describe: peer.describe, verify, microsecondsPerStep, repeatSteps, gcCount, checksum })}\n`);
