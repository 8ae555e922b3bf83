// Must-show 6 and the long-stream check, in one process: model A is timed
// alone, then a second model B of another size is made and stepped, then A is
// timed again (interleaved with B). Also steps A for a long stream and
// compares the first and last chunks, counting garbage collections.
// usage: node bench/two-models-worker.mjs '{"backend":"wasm","first":128,"second":512,"repeats":7,"repeatMs":100,"longMs":3000}'
import { PerformanceObserver } from 'node:perf_hooks';
import { LIBRARY_BUNDLE } from './lib/build-library.mjs';
import { benchArchitecture, benchInputs, benchSeed } from './lib/workload.mjs';
import { median } from './lib/statistics.mjs';

const spec = JSON.parse(process.argv[2]);
const library = await import(LIBRARY_BUNDLE);
library.setKernelBackend(spec.backend);

function makeStream(H) {
  const model = library.createRandomModel(benchArchitecture(H, 1), { seed: benchSeed(H, 1) });
  const session = model.session();
  const inputs = benchInputs(H);
  return (steps) => {
    let checksum = 0;
    for (let t = 0; t < steps; t++) checksum += session.step(inputs[t & 63])[0];
    return checksum;
  };
}

function time(run, steps) {
  const start = performance.now();
  run(steps);
  return ((performance.now() - start) * 1000) / steps;
}

function stepsFor(run, repeatMs) {
  for (let i = 0; i < 20; i++) run(50);
  const perStep = time(run, 200);
  return Math.max(50, Math.round((repeatMs * 1000) / perStep));
}

const runA = makeStream(spec.first);
const stepsA = stepsFor(runA, spec.repeatMs);
for (let i = 0; i < 5; i++) runA(stepsA); // warm
const alone = [];
for (let r = 0; r < spec.repeats; r++) alone.push(time(runA, stepsA));

const runB = makeStream(spec.second);
const stepsB = stepsFor(runB, spec.repeatMs);
const withSecond = [];
const secondTimes = [];
for (let r = 0; r < spec.repeats; r++) {
  secondTimes.push(time(runB, stepsB));
  withSecond.push(time(runA, stepsA));
}

// A long stream on A: chunk times from the start and from the end.
let gcCount = 0;
const observer = new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
});
// Collect setup garbage first, so a count > 0 means garbage made while stepping.
globalThis.gc?.();
observer.observe({ entryTypes: ['gc'] });
// About longMs of streaming in 50 chunks.
const longSteps = Math.max(5000, Math.round((spec.longMs * 1000) / median(withSecond)));
const chunk = Math.max(100, Math.round(longSteps / 50));
const chunkTimes = [];
for (let done = 0; done < longSteps; done += chunk) chunkTimes.push(time(runA, chunk));
await new Promise((resolve) => setTimeout(resolve, 20));
observer.disconnect();
const tenth = Math.max(1, Math.floor(chunkTimes.length / 5));
process.stdout.write(
  `${JSON.stringify({
    alone,
    withSecond,
    secondTimes,
    longStream: { steps: chunk * chunkTimes.length, firstChunks: median(chunkTimes.slice(0, tenth)), lastChunks: median(chunkTimes.slice(-tenth)), gcCount },
  })}\n`,
);
