// One measurement of bench/memory.mjs, in a fresh process:
//   node --expose-gc bench/memory-worker.mjs MODEL SESSIONS BACKEND WARM
// Prints one JSON line: resident growth (rss) and its parts, in bytes, after
// two forced collections, from just before loadModel to after the model is
// loaded and SESSIONS sessions have each stepped once and answered
// predictNext(5). BACKEND: wasm | typescript (setKernelBackend). WARM 1: the
// same file is loaded, stepped and dropped once before the baseline, so the
// figure leaves out what a process pays once (the decoder's and the kernels'
// compiled code, the WebAssembly module) and shows what one more model costs;
// the first model (and its one session) stays loaded.
import { loadModel, predictNext, setKernelBackend } from '../dist/index.js';

const [path, sessionsArgument, backend, warm] = process.argv.slice(2);
const sessionCount = Number(sessionsArgument);
const collect = () => {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external };
};
const use = async (count) => {
  const model = await loadModel(path);
  const sessions = [];
  for (let i = 0; i < count; i++) {
    const session = model.session();
    session.step(1);
    predictNext(session, 5);
    sessions.push(session);
  }
  return { model, sessions };
};

if (setKernelBackend(backend) !== backend) throw new Error(`backend ${backend} is not available here`);
// The warm-up model stays alive (it is read after the measurement): dropped,
// its freed memory would be reused by the measured one.
const warmModel = warm === '1' ? await use(1) : null;
const before = collect();
const held = await use(sessionCount);
const after = collect();
console.log(JSON.stringify({
  rss: after.rss - before.rss,
  heap: after.heap - before.heap,
  external: after.external - before.external,
  weights: held.model.byteLength,
  warmUpWeights: warmModel === null ? 0 : warmModel.model.byteLength,
}));
