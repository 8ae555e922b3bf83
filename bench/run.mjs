// The speed benchmark (issue 7): our step against TF.js (cpu, wasm),
// onnxruntime-node (1 thread, default threads) and a C build of the same
// fused step, side by side in one run; then q8, two layers, the next-word
// step, two models in one process, and a long stream; and (issue 16) one GRU
// layer of both variants against onnxruntime-node's GRU operator and
// TF.js's GRU cell. Every peer is checked against our TypeScript kernel's
// answers before it is timed.
//
// usage: npm run bench [-- --rounds 3 --repeats 7 --sizes 64,128,256,512 --sections step,layers,q8modes,nextword,twomodels,gru]
//        node bench/run.mjs --render   (rewrites the sections from the last run's numbers)
//        npm run bench -- --merge --sections nextword   (re-measures one section, keeps the others)
//        npm run bench -- --sections gru --rounds 3   (the GRU section alone; the LSTM sections are left as they are)
// With --merge (or --render) the LSTM sections keep the rounds, repeats and
// sizes of the run they were first measured in; the GRU section always
// measures with the --rounds, --repeats, --repeat-ms and --sizes given.
// Writes the "Speed" section (LSTM: step … twomodels) and the "GRU speed"
// section (gru) of bench/RESULTS.md, each between its own markers, and the
// raw numbers to node_modules/.cache/lstm-stream-bench/speed.json.
// node bench/run.mjs --help prints this.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildLibrary, CACHE_DIR } from './lib/build-library.mjs';
import { formatNumber, maxAbsDiff, median } from './lib/statistics.mjs';
import { benchArchitecture, benchInputs, benchSeed, multiplyAddsPerStep, VERIFY_STEPS } from './lib/workload.mjs';
import { compileC, C_COMPILE, runC, writeCWeights } from './peers/c.mjs';
import { quantize } from './peers/ours.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    repeats: { type: 'string', default: '7' },
    'repeat-ms': { type: 'string', default: '100' },
    sizes: { type: 'string', default: '64,128,256,512' },
    sections: { type: 'string', default: 'step,layers,q8modes,nextword,twomodels,gru' },
    'no-write': { type: 'boolean', default: false },
    // Re-render RESULTS.md from the last run's speed.json without measuring.
    render: { type: 'boolean', default: false },
    // Re-measure only --sections and keep the last run's other sections.
    merge: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  const source = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
  process.stdout.write(`${source.slice(0, source.findIndex((line) => !line.startsWith('//'))).map((line) => line.replace(/^\/\/ ?/, '')).join('\n')}\n`);
  process.exit(0);
}
const RENDER = args.render;
const SPEED_JSON = `${CACHE_DIR}/speed.json`;
if (args.merge && !RENDER && !existsSync(SPEED_JSON)) process.stderr.write(`--merge: no ${SPEED_JSON} from an earlier run; only the sections measured now are written\n`);
// A run of the GRU section alone keeps the LSTM sections' numbers in speed.json too (it does not redraw them).
const GRU_ONLY = !RENDER && args.sections.split(',').every((name) => name === 'gru');
const previous = RENDER || ((args.merge || GRU_ONLY) && existsSync(SPEED_JSON)) ? JSON.parse(readFileSync(SPEED_JSON, 'utf8')) : null;
const ROUNDS = previous?.rounds ?? Number(args.rounds ?? 3);
const REPEATS = previous?.repeats ?? Number(args.repeats);
const REPEAT_MS = previous?.repeatMs ?? Number(args['repeat-ms']);
const SIZES = previous?.sizes ?? args.sizes.split(',').map(Number);
/** The GRU section's settings: always this command's (it is measured as a whole or not at all). */
const GRU_SETTINGS = { rounds: Number(args.rounds ?? 3), repeats: Number(args.repeats), repeatMs: Number(args['repeat-ms']), sizes: args.sizes.split(',').map(Number) };
const SECTIONS = new Set(args.sections.split(','));
// The sections of the "Speed" (LSTM) block; 'gru' has a block of its own.
const LSTM_SECTIONS = ['step', 'layers', 'q8modes', 'nextword', 'twomodels'];
const INVOCATION = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const COMMAND = previous?.command ?? INVOCATION;
const TOLERANCE_F32 = 1e-4;

const log = (line) => process.stderr.write(`${line}\n`);
const library = RENDER ? null : await import(await buildLibrary());
const gccVersion = RENDER ? previous.gcc : compileC();
if (!RENDER) log(gccVersion ? `C ceiling: ${C_COMPILE.join(' ')}` : 'gcc not found: no C ceiling');
const started = previous ? new Date(previous.started) : new Date();
const loadBefore = previous ? previous.loadBefore : loadavg()[0];
const mergeStarted = new Date();

/** Our TypeScript kernel's top-layer h for the first VERIFY_STEPS steps: the answer key. */
function reference(hiddenSize, numLayers, dtype, cell = 'lstm') {
  library.setKernelBackend('typescript');
  const f32 = library.createRandomModel(benchArchitecture(hiddenSize, numLayers, cell), { seed: benchSeed(hiddenSize, numLayers) });
  const model = dtype === 'q8' ? quantize(library, f32) : f32;
  const session = model.session();
  const inputs = benchInputs(hiddenSize);
  const out = [];
  for (let t = 0; t < VERIFY_STEPS; t++) out.push(Array.from(session.step(inputs[t])));
  library.setKernelBackend('auto');
  return out;
}

function runWorker(script, spec) {
  const result = spawnSync(process.execPath, ['--expose-gc', script, JSON.stringify(spec)], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  const line = result.stdout.trim().split('\n').pop();
  if (result.status !== 0 || !line) throw new Error(`${script} ${JSON.stringify(spec)} failed: ${result.stderr.slice(-2000)}`);
  return JSON.parse(line);
}

// Peers of the main table. `tolerance`: how close its first steps must be to the answer key.
const PEERS = [
  { id: 'ours-f32', label: 'lstm-stream f32 (wasm SIMD)', peer: 'ours', options: { backend: 'wasm', dtype: 'f32' }, ours: true },
  { id: 'ours-q8', label: 'lstm-stream q8 (wasm SIMD)', peer: 'ours', options: { backend: 'wasm', dtype: 'q8' }, ours: true, q8: true },
  { id: 'ours-ts', label: 'lstm-stream f32 (TypeScript fallback)', peer: 'ours', options: { backend: 'typescript', dtype: 'f32' }, ours: true },
  { id: 'tfjs-cpu', label: 'TF.js 4.22 cpu', peer: 'tfjs', options: { backend: 'cpu' } },
  { id: 'tfjs-wasm', label: 'TF.js 4.22 wasm (SIMD)', peer: 'tfjs', options: { backend: 'wasm' } },
  { id: 'ort-1', label: 'onnxruntime-node 1.30, 1 thread', peer: 'onnxruntime', options: { threads: 1 } },
  { id: 'ort-default', label: 'onnxruntime-node 1.30, default threads', peer: 'onnxruntime', options: { threads: 0 } },
  { id: 'c', label: 'C gcc -O3 -march=native (ceiling)', c: true },
];
const EXTERNAL_PEERS = ['tfjs-cpu', 'tfjs-wasm', 'ort-1', 'ort-default'];

/**
 * Runs one peer at one size: verify, then time. Returns { times: µs per step
 * per repeat, gcCount, describe, error, probe }. peer.cell: the model's cell
 * kind (default lstm); peer.probe: also read the heap growth of stepping.
 */
function measure(peer, hiddenSize, numLayers, answers, settings) {
  const { repeats: REPEATS, repeatMs: REPEAT_MS } = settings;
  if (peer.c) {
    const model = library.createRandomModel(benchArchitecture(hiddenSize, numLayers), { seed: benchSeed(hiddenSize, numLayers) });
    const file = writeCWeights(model, benchInputs(hiddenSize));
    const verify = runC(file, 'verify', VERIFY_STEPS).h;
    const error = Math.max(...verify.map((h, t) => maxAbsDiff(h, answers.f32[t])));
    const probe = runC(file, 'time', 200, 1).microsecondsPerStep[0];
    const steps = Math.max(20, Math.round((REPEAT_MS * 1000) / probe));
    runC(file, 'time', steps, 2); // warm the caches and the CPU clock
    return { times: runC(file, 'time', steps, REPEATS).microsecondsPerStep, gcCount: 0, describe: peer.label, error };
  }
  const result = runWorker(new URL('./worker.mjs', import.meta.url).pathname, {
    peer: peer.peer, cell: peer.cell ?? 'lstm', options: peer.options, hiddenSize, numLayers, repeatMs: REPEAT_MS, repeats: REPEATS, probe: peer.probe === true,
  });
  const key = peer.q8 ? answers.q8 : answers.f32;
  const error = Math.max(...result.verify.map((h, t) => maxAbsDiff(h, key[t])));
  return { times: result.microsecondsPerStep, gcCount: result.gcCount, describe: result.describe, error, probe: result.probe };
}

/** Runs peers × sizes for ROUNDS rounds, alternating the peer order each round; `cell`: the model every peer runs. */
function table(peers, numLayers, cell = 'lstm', settings = { rounds: ROUNDS, repeats: REPEATS, repeatMs: REPEAT_MS, sizes: SIZES }) {
  const { rounds: ROUNDS, sizes: SIZES } = settings;
  const results = {}; // results[id][H] = { times: [], gc: [], error, rounds: [[medianOfRound]] }
  for (const H of SIZES) {
    const answers = { f32: reference(H, numLayers, 'f32', cell), q8: reference(H, numLayers, 'q8', cell) };
    for (let round = 0; round < ROUNDS; round++) {
      loads.push(loadavg()[0]);
      const order = round % 2 === 0 ? peers : [...peers].reverse();
      for (const peer of order) {
        const entry = ((results[peer.id] ??= {})[H] ??= { times: [], roundMedians: [], gcCount: 0, error: 0 });
        try {
          const m = measure({ ...peer, cell }, H, numLayers, answers, settings);
          if (!(m.error <= TOLERANCE_F32)) throw new Error(`answers differ from the TypeScript kernel by ${m.error}`);
          entry.times.push(...m.times);
          entry.roundMedians.push(median(m.times));
          entry.gcCount += m.gcCount;
          entry.error = Math.max(entry.error, m.error);
          entry.describe = m.describe;
          if (m.probe) (entry.probes ??= []).push(m.probe);
          const probe = m.probe ? `; probe: ${m.probe.heapGrowth} bytes of heap growth over ${m.probe.steps} steps, ${m.probe.garbageCollections} GCs` : '';
          log(`  H=${H} L=${numLayers}${cell === 'lstm' ? '' : ` ${cell}`} ${peer.id}: ${formatNumber(median(m.times))} µs/step (max |Δh| ${m.error.toExponential(1)}, ${m.gcCount} GCs${probe})`);
        } catch (error) {
          entry.failed = String(error.message ?? error).slice(0, 300);
          log(`  H=${H} L=${numLayers} ${peer.id}: FAILED ${entry.failed}`);
        }
      }
    }
  }
  return results;
}

/** One-minute load averages sampled at the start of every round of every table. */
const loads = [];
const report = previous ?? {
  started: started.toISOString(), command: COMMAND, cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, gcc: gccVersion,
  rounds: ROUNDS, repeats: REPEATS, repeatMs: REPEAT_MS, sizes: SIZES, loadBefore,
};
/** In --render mode, a section is drawn when the last run measured it; otherwise when asked for. */
const wanted = (name) => (RENDER ? report[name] !== undefined : SECTIONS.has(name) || (args.merge && report[name] !== undefined));
/** Whether the "Speed" (LSTM) block is drawn: when one of its sections is measured or kept. */
const lstmBlock = LSTM_SECTIONS.some(wanted);
/** True when this run measures the section (not when it only redraws a kept one). */
const measuring = (name) => !RENDER && SECTIONS.has(name);
const sections = [];

const micro = (entry) => (entry && entry.times.length > 0 ? median(entry.times) : NaN);
const best = (entry) => (entry && entry.times.length > 0 ? Math.min(...entry.times) : NaN);
const gflops = (H, layers, us) => (2 * multiplyAddsPerStep(H, layers)) / (us * 1000);
/** Our speed-up over a peer: the median over rounds of (peer / ours) of the same round. */
function ratio(ours, peer) {
  if (!ours || !peer || peer.roundMedians.length === 0) return NaN;
  const n = Math.min(ours.roundMedians.length, peer.roundMedians.length);
  const perRound = [];
  for (let i = 0; i < n; i++) perRound.push(peer.roundMedians[i] / ours.roundMedians[i]);
  return median(perRound);
}

if (wanted('step')) {
  log('one layer, all peers');
  const results = !measuring('step') ? report.step : (report.step = table(PEERS, 1));
  const rows = SIZES.map((H) => {
    const cells = PEERS.map((p) => {
      const e = results[p.id]?.[H];
      return e?.failed ? 'failed' : `${formatNumber(micro(e))}`;
    });
    return `| ${H} | ${cells.join(' | ')} |`;
  });
  const bestRows = SIZES.map((H) => `| ${H} | ${PEERS.map((p) => formatNumber(best(results[p.id]?.[H]))).join(' | ')} |`);
  const gflopRows = SIZES.map((H) => `| ${H} | ${PEERS.map((p) => formatNumber(gflops(H, 1, micro(results[p.id]?.[H])))).join(' | ')} |`);
  const ratioRows = SIZES.map((H) => {
    const ours = results['ours-f32']?.[H];
    const fastest = Math.min(...EXTERNAL_PEERS.map((id) => micro(results[id]?.[H])).filter(Number.isFinite));
    const cells = [...EXTERNAL_PEERS, 'c'].map((id) => `${formatNumber(ratio(ours, results[id]?.[H]))}×`);
    return `| ${H} | ${cells.join(' | ')} | ${formatNumber(fastest / micro(ours))}× | ${formatNumber(micro(ours) / micro(results.c?.[H]))} | ${formatNumber(ratio(ours, results['ours-q8']?.[H]) ** -1)}× | ${results['ours-f32']?.[H]?.gcCount ?? '—'} / ${results['ours-q8']?.[H]?.gcCount ?? '—'} |`;
  });
  sections.push(`### One LSTM layer, input size = hidden size H, batch 1: median µs per step

${PEERS.map((p, i) => `${i + 1}. ${results[p.id]?.[SIZES[0]]?.describe ?? p.label}`).join('\n')}

| H | ${PEERS.map((_, i) => `(${i + 1})`).join(' | ')} |
|---|${PEERS.map(() => '---').join('|')}|
${rows.join('\n')}

The fastest repeat of each (µs), less sensitive to the other processes on this shared machine:

| H | ${PEERS.map((_, i) => `(${i + 1})`).join(' | ')} |
|---|${PEERS.map(() => '---').join('|')}|
${bestRows.join('\n')}

GFLOP/s from the medians (2 flops per multiply-add of the 4H × 2H gate product; the cell update not counted):

| H | ${PEERS.map((_, i) => `(${i + 1})`).join(' | ')} |
|---|${PEERS.map(() => '---').join('|')}|
${gflopRows.join('\n')}

Our f32 step's speed-up over each peer (median over rounds of peer time / our time in the same round), over the fastest external peer, our time as a multiple of the C ceiling (must be ≤ 1.5 at H ≤ 256), q8's speed-up over f32, and garbage collections counted while timing (f32 / q8):

| H | × TF.js cpu | × TF.js wasm | × ORT 1 thread | × ORT default threads | × C | × fastest external peer | f32 / C | q8 speed-up over f32 | GCs f32 / q8 |
|---|---|---|---|---|---|---|---|---|---|
${ratioRows.join('\n')}

Before timing, each peer's top-layer h over the first ${VERIFY_STEPS} steps from the zero state was compared with our TypeScript kernel: largest difference ${Math.max(...PEERS.filter((p) => !p.q8).flatMap((p) => SIZES.map((H) => results[p.id]?.[H]?.error ?? 0))).toExponential(1)} (f32 peers), ${Math.max(...SIZES.map((H) => results['ours-q8']?.[H]?.error ?? 0)).toExponential(1)} (our q8 against the TypeScript q8 kernel).`);
}

if (wanted('layers')) {
  log('two layers');
  const peers = PEERS.filter((p) => ['ours-f32', 'ours-q8', 'c'].includes(p.id));
  const results = !measuring('layers') ? report.layers : (report.layers = table(peers, 2));
  const rows = SIZES.map((H) => `| ${H} | ${peers.map((p) => formatNumber(micro(results[p.id]?.[H]))).join(' | ')} | ${formatNumber(gflops(H, 2, micro(results['ours-f32']?.[H])))} | ${formatNumber(micro(results['ours-f32']?.[H]) / micro(results.c?.[H]))} | ${formatNumber(ratio(results['ours-f32']?.[H], results['ours-q8']?.[H]) ** -1)}× |`);
  sections.push(`### Two LSTM layers: median µs per step

| H | ${peers.map((p) => p.label).join(' | ')} | our f32 GFLOP/s | f32 / C | q8 speed-up over f32 |
|---|${peers.map(() => '---').join('|')}|---|---|---|
${rows.join('\n')}`);
}

if (wanted('q8modes')) {
  log('q8: integer (int16 activations, i32x4.dot_i16x8_s) against float (weights widened to f32)');
  const peers = [
    { id: 'q8-integer', label: 'q8 integer', peer: 'ours', options: { backend: 'wasm', dtype: 'q8', q8Mode: 'integer' }, q8: true },
    { id: 'q8-float', label: 'q8 float', peer: 'ours', options: { backend: 'wasm', dtype: 'q8', q8Mode: 'float' }, q8: true },
    { id: 'f32', label: 'f32', peer: 'ours', options: { backend: 'wasm', dtype: 'f32' } },
  ];
  const results = !measuring('q8modes') ? report.q8modes : (report.q8modes = table(peers, 1));
  const rows = SIZES.map((H) => `| ${H} | ${peers.map((p) => formatNumber(micro(results[p.id]?.[H]))).join(' | ')} | ${(results['q8-integer']?.[H]?.error ?? NaN).toExponential(1)} | ${(results['q8-float']?.[H]?.error ?? NaN).toExponential(1)} |`);
  sections.push(`### The two int8 kernels (one layer): median µs per step

| H | q8 integer (int16 activations, dot_i16x8_s) | q8 float (int8 widened to f32) | f32 | max \\|Δh\\| integer vs TS q8 | max \\|Δh\\| float vs TS q8 |
|---|---|---|---|---|---|
${rows.join('\n')}`);
}

if (wanted('nextword')) {
  log('next-word step: embedding 256 → LSTM 256 → 17,906 logits → top-5');
  const configs = [
    { id: 'f32-wasm-1', dtype: 'f32', backend: 'wasm', numLayers: 1 },
    { id: 'q8-wasm-1', dtype: 'q8', backend: 'wasm', numLayers: 1 },
    { id: 'f32-wasm-2', dtype: 'f32', backend: 'wasm', numLayers: 2 },
    { id: 'q8-wasm-2', dtype: 'q8', backend: 'wasm', numLayers: 2 },
    { id: 'f32-ts-1', dtype: 'f32', backend: 'typescript', numLayers: 1 },
  ];
  const results = measuring('nextword') ? {} : report.nextword;
  for (let round = 0; round < (measuring('nextword') ? ROUNDS : 0); round++) {
    for (const config of round % 2 === 0 ? configs : [...configs].reverse()) {
      const r = runWorker(new URL('./next-word-worker.mjs', import.meta.url).pathname, { ...config, repeats: REPEATS, repeatMs: 150 });
      const entry = (results[config.id] ??= { times: [], stepOnly: [], topOnly: [], gcCount: 0, weightBytes: r.weightBytes });
      entry.times.push(...r.microsecondsPerStep);
      entry.stepOnly.push(r.stepOnly);
      entry.topOnly.push(r.topOnly);
      entry.gcCount += r.gcCount;
      log(`  ${config.id}: ${formatNumber(median(r.microsecondsPerStep))} µs per next word`);
    }
  }
  report.nextword = results;
  const rows = configs.map((c) => {
    const e = results[c.id];
    return `| ${c.dtype} | ${c.numLayers} | ${c.backend} | ${formatNumber(median(e.times))} | ${formatNumber(median(e.stepOnly))} | ${formatNumber(median(e.topOnly))} | ${(e.weightBytes / 2 ** 20).toFixed(1)} MiB | ${e.gcCount} |`;
  });
  sections.push(`### Next-word step: embedding 256 → LSTM H = 256 → output layer over 17,906 words → top-5 with probabilities

Median µs per next word (session.step(token), then topKInto 5 and logSumExp over all 17,906 logits). Must be under 1,000 µs.

| weights | layers | kernels | next word (µs) | of which step incl. output layer | of which top-5 + normalizer | weights | GCs |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
}

if (wanted('twomodels')) {
  log('two models of different sizes in one process; long stream');
  const pairs = [
    [128, 512],
    [512, 64],
    [256, 128],
  ];
  const rows = [];
  const measured = measuring('twomodels') ? [] : report.twomodels;
  report.twomodels = [];
  for (const backend of ['wasm', 'typescript']) {
    for (const [first, second] of pairs) {
      const runs = measuring('twomodels') ? [] : measured.find((m) => m.backend === backend && m.first === first && m.second === second)?.runs ?? [];
      for (let round = 0; round < (measuring('twomodels') ? ROUNDS : 0); round++) {
        runs.push(runWorker(new URL('./two-models-worker.mjs', import.meta.url).pathname, { backend, first, second, repeats: REPEATS, repeatMs: REPEAT_MS, longMs: 4000 }));
      }
      const alone = median(runs.flatMap((r) => r.alone));
      const withSecond = median(runs.flatMap((r) => r.withSecond));
      const change = median(runs.map((r) => median(r.withSecond) / median(r.alone) - 1));
      // The best repeat is what the kernel can do when no other process interferes.
      const bestChange = median(runs.map((r) => Math.min(...r.withSecond) / Math.min(...r.alone) - 1));
      const long = runs.map((r) => r.longStream);
      const drift = median(long.map((l) => l.lastChunks / l.firstChunks - 1));
      report.twomodels.push({ backend, first, second, runs });
      rows.push(`| ${backend} | ${first} | ${second} | ${formatNumber(alone)} | ${formatNumber(withSecond)} | ${(change * 100).toFixed(1)} % | ${(bestChange * 100).toFixed(1)} % | ${long[0].steps.toLocaleString('en-US')} | ${(drift * 100).toFixed(1)} % | ${long.reduce((s, l) => s + l.gcCount, 0)} |`);
      log(`  ${backend} ${first} then ${second}: ${formatNumber(alone)} → ${formatNumber(withSecond)} µs (${(change * 100).toFixed(1)} %)`);
    }
  }
  sections.push(`### Two models in one process, and a long stream

Model A (one layer, H = first) is timed alone, then model B (H = second) is made and stepped in the same process, and A is timed again between B's runs. Then A streams on: the last fifth of the stream's chunks against the first fifth, and the garbage collections over the whole stream. Change of A's time is the median over ${report.twomodels[0]?.runs.length ?? ROUNDS} processes of (A with B / A alone − 1), from the medians of the repeats and from the best repeats (the second is less sensitive to other processes on this shared machine). Must stay within ±10 %.

| kernels | H of A | H of B | A alone (µs) | A with B (µs) | change (medians) | change (best repeats) | stream steps | last vs first chunks | GCs in the stream |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
}

// Issue 16: one GRU layer of each variant, our step against onnxruntime-node's GRU
// operator and TF.js (its tf.layers GRUCell, reset_after = false only, and
// the equations in tf ops, either variant).
const GRU_VARIANTS = [
  { cell: 'gru', title: 'reset after: cell `gru` (PyTorch; ONNX linear_before_reset = 1)' },
  { cell: 'gru-reset-before', title: 'reset before: cell `gru-reset-before` (Keras / TF.js default; ONNX linear_before_reset = 0)' },
];
const GRU_PEERS = [
  { id: 'ours-f32', label: 'lstm-stream f32 (wasm SIMD)', peer: 'ours', options: { backend: 'wasm', dtype: 'f32' }, ours: true, probe: true },
  { id: 'ours-q8', label: 'lstm-stream q8 (wasm SIMD)', peer: 'ours', options: { backend: 'wasm', dtype: 'q8' }, ours: true, q8: true, probe: true },
  { id: 'ours-ts', label: 'lstm-stream f32 (TypeScript fallback)', peer: 'ours', options: { backend: 'typescript', dtype: 'f32' }, ours: true, probe: true },
  { id: 'ort-1', label: 'onnxruntime-node GRU, 1 thread', peer: 'onnxruntime', options: { threads: 1 } },
  { id: 'ort-default', label: 'onnxruntime-node GRU, default threads', peer: 'onnxruntime', options: { threads: 0 } },
  { id: 'tfjs-wasm-ops', label: 'TF.js wasm tf ops', peer: 'tfjs-gru', options: { backend: 'wasm', mode: 'ops' } },
  { id: 'tfjs-cpu-ops', label: 'TF.js cpu tf ops', peer: 'tfjs-gru', options: { backend: 'cpu', mode: 'ops' } },
  // tf.layers' GRUCell on the cpu backend is left out: about 0.4 s a step at H = 512.
  { id: 'tfjs-wasm-layers', label: 'TF.js wasm GRUCell', peer: 'tfjs-gru', options: { backend: 'wasm', mode: 'layers' }, resetBeforeOnly: true },
];
const GRU_EXTERNAL = ['ort-1', 'ort-default', 'tfjs-wasm-ops', 'tfjs-cpu-ops', 'tfjs-wasm-layers'];
const gruPeersOf = (cell) => GRU_PEERS.filter((p) => cell === 'gru-reset-before' || !p.resetBeforeOnly);
let gruSection = null;

if (wanted('gru')) {
  log('one GRU layer, both variants, against onnxruntime-node and TF.js');
  if (measuring('gru')) {
    const gruStarted = new Date();
    const loadStart = loadavg()[0];
    loads.length = 0;
    const variants = {};
    for (const v of GRU_VARIANTS) variants[v.cell] = table(gruPeersOf(v.cell), 1, v.cell, GRU_SETTINGS);
    report.gru = {
      started: gruStarted.toISOString(), finished: new Date().toISOString(), command: INVOCATION, ...GRU_SETTINGS,
      cpu: cpus()[0]?.model, cpus: cpus().length, node: process.version, loadBefore: loadStart, loadAfter: loadavg()[0], loadMin: Math.min(...loads), loadMax: Math.max(...loads), variants,
    };
  }
  gruSection = renderGru(report.gru);
}

/** The GRU block of RESULTS.md from its measurement (report.gru). */
function renderGru(g) {
  const sizes = g.sizes;
  const lines = [];
  const verdictRows = [];
  const pooledMisses = [];
  let worstProbe = 0;
  let fewestProbeSteps = Infinity;
  let probeGcs = 0;
  let timingGcs = 0;
  let largestError = 0;
  let largestQ8Error = 0;
  for (const v of GRU_VARIANTS) {
    const results = g.variants[v.cell];
    const peers = gruPeersOf(v.cell);
    const header = `| H | ${peers.map((_, i) => `(${i + 1})`).join(' | ')} |\n|---|${peers.map(() => '---').join('|')}|`;
    const cellOf = (fn) => sizes.map((H) => `| ${H} | ${peers.map((p) => (results[p.id]?.[H]?.failed && !results[p.id][H].times.length ? 'failed' : formatNumber(fn(results[p.id]?.[H])))).join(' | ')} |`);
    const external = GRU_EXTERNAL.filter((id) => peers.some((p) => p.id === id));
    const label = (id) => peers.find((p) => p.id === id).label.replace('onnxruntime-node GRU, ', 'ORT ');
    const ratioRows = sizes.map((H) => {
      const f32 = results['ours-f32']?.[H];
      const q8 = results['ours-q8']?.[H];
      const ratios = (ours) => external.map((id) => ratio(ours, results[id]?.[H]));
      const f32Ratios = ratios(f32);
      const q8Ratios = ratios(q8);
      const f32Worst = Math.min(...f32Ratios.filter(Number.isFinite));
      const q8Worst = Math.min(...q8Ratios.filter(Number.isFinite));
      verdictRows.push({ cell: v.cell, H, f32: f32Worst, q8: q8Worst, complete: [...f32Ratios, ...q8Ratios].every(Number.isFinite) });
      // The same question asked of the medians over all repeats (the LSTM section's measure) and of the fastest repeats.
      for (const [measureName, fn] of [['medians', micro], ['fastest repeats', best]]) {
        for (const id of ['ours-f32', 'ours-q8']) {
          const ours = fn(results[id]?.[H]);
          for (const peerId of external) {
            const theirs = fn(results[peerId]?.[H]);
            if (!(ours < theirs)) pooledMisses.push(`${measureName}: ${v.cell} ${id === 'ours-f32' ? 'f32' : 'q8'} at H = ${H}, ${formatNumber(ours)} µs against ${label(peerId)} ${formatNumber(theirs)} µs`);
          }
        }
      }
      const probes = ['ours-f32', 'ours-q8', 'ours-ts'].map((id) => {
        const list = results[id]?.[H]?.probes ?? [];
        if (list.length === 0) return '—';
        const growth = Math.max(...list.map((r) => r.heapGrowth));
        worstProbe = Math.max(worstProbe, growth);
        fewestProbeSteps = Math.min(fewestProbeSteps, ...list.map((r) => r.steps));
        probeGcs += list.reduce((sum, r) => sum + r.garbageCollections, 0);
        return (growth / 1024).toFixed(1);
      });
      const gcs = ['ours-f32', 'ours-q8', 'ours-ts'].map((id) => results[id]?.[H]?.gcCount ?? '—');
      timingGcs += ['ours-f32', 'ours-q8'].reduce((sum, id) => sum + (results[id]?.[H]?.gcCount ?? 0), 0);
      return `| ${H} | ${f32Ratios.map((r) => `${formatNumber(r)}×`).join(' | ')} | ${formatNumber(f32Worst)}× | ${q8Ratios.map((r) => `${formatNumber(r)}×`).join(' | ')} | ${formatNumber(q8Worst)}× | ${formatNumber(ratio(f32, q8) ** -1)}× | ${gcs.join(' / ')} | ${probes.join(' / ')} |`;
    });
    for (const p of peers) {
      for (const H of sizes) {
        const e = results[p.id]?.[H];
        if (!e) continue;
        if (p.q8) largestQ8Error = Math.max(largestQ8Error, e.error);
        else largestError = Math.max(largestError, e.error);
      }
    }
    const failures = peers.flatMap((p) => sizes.filter((H) => results[p.id]?.[H]?.failed).map((H) => `${p.label} at H = ${H}: ${results[p.id][H].failed}`));
    lines.push(`### One GRU layer, ${v.title}: median µs per step

${peers.map((p, i) => `${i + 1}. ${results[p.id]?.[sizes[0]]?.describe ?? p.label}`).join('\n')}

${header}
${cellOf(micro).join('\n')}

The fastest repeat of each (µs):

${header}
${cellOf(best).join('\n')}

Our speed-up over each external peer (median over rounds of peer time / our time in the same round), f32 then q8, the smallest of them (× the fastest external peer), q8's speed-up over f32, garbage collections while timing (f32 / q8 / TypeScript), and the allocation probe: the heap's growth in KiB over about a second of steps (at least 2,000), read without collecting, the largest over the rounds (f32 / q8 / TypeScript; one object of ≥ 16 bytes a step would add ≥ 31 KiB):

| H | ${external.map((id) => `f32 × ${label(id)}`).join(' | ')} | f32 × fastest external peer | ${external.map((id) => `q8 × ${label(id)}`).join(' | ')} | q8 × fastest external peer | q8 speed-up over f32 | GCs | probe (KiB) |
|---|${external.map(() => '---').join('|')}|---|${external.map(() => '---').join('|')}|---|---|---|---|
${ratioRows.join('\n')}${failures.length > 0 ? `\n\nFailed: ${failures.join('; ')}.` : ''}`);
  }
  const verdict = (ok) => (ok ? 'met' : '**not met**');
  const fastest = verdictRows.every((r) => r.complete && r.f32 > 1 && r.q8 > 1);
  const misses = verdictRows.flatMap((r) => [r.f32 > 1 ? null : `${r.cell} f32 at H = ${r.H} (${formatNumber(r.f32)}×)`, r.q8 > 1 ? null : `${r.cell} q8 at H = ${r.H} (${formatNumber(r.q8)}×)`]).filter(Boolean);
  const loadLine = `load average ${g.loadBefore.toFixed(1)} at the start, ${g.loadAfter.toFixed(1)} at the end, ${g.loadMin.toFixed(1)}–${g.loadMax.toFixed(1)} at the starts of the rounds`;
  return `## GRU speed (issue 16)

Measured ${g.started.slice(0, 16).replace('T', ' ')}–${g.finished.slice(11, 16)} UTC on ${g.cpu} (${g.cpus} cores, shared with other work: ${loadLine}), Node ${g.node}.
Command: \`${g.command}\` (${g.rounds} rounds, the peer order reversed every other round; each peer, variant and size runs in its own process, ${g.repeats} timed repeats of about ${g.repeatMs} ms after a 300 ms warm-up; medians over all repeats of all rounds). One GRU layer, input size = hidden size H, batch 1, the library's seeded random weights and biases (b_hn included), state carried from step to step; our peers step \`Session.step\`; onnxruntime-node runs one GRU node per step (seq_len 1, h fed back, as for the LSTM); TF.js has no GRU op (the LSTM rows use \`tf.basicLSTMCell\`), so it runs two ways, in a tidy per step, reading h back with dataSync: the GRU equations in tf ops with the weights split and transposed once (two or three matMuls, then the gates; either variant), and the GRUCell of \`tf.layers\` (the per-step code of \`tf.layers.gru\`, reset_after = false only), with the logistic sigmoid on the gates. The two variants are separate tables, each with its own rounds.${g.loadMax > g.cpus ? ` With a load average above the ${g.cpus} cores, each process got only part of a core and for varying stretches: the same-round ratios and the fastest repeats are steadier than the medians over all repeats.` : ''}

${lines.join('\n\n')}

Before timing, each peer's h over the first ${VERIFY_STEPS} steps from the zero state was compared with our TypeScript kernel: largest difference ${largestError.toExponential(1)} (f32 peers), ${largestQ8Error.toExponential(1)} (our q8 against the TypeScript q8 kernel).

Must show 4 of issue 16, as judged from this run: our GRU step (f32 and q8, wasm) faster than every peer at every size, both variants: ${verdict(fastest)}${misses.length > 0 ? ` (not faster: ${misses.join(', ')})` : ` (smallest same-round speed-up: f32 ${formatNumber(Math.min(...verdictRows.map((r) => r.f32)))}×, q8 ${formatNumber(Math.min(...verdictRows.map((r) => r.q8)))}×)`}; the same from the medians over all repeats of all rounds and from the fastest repeats: ${pooledMisses.length === 0 ? 'faster everywhere' : `**not everywhere**: ${pooledMisses.join('; ')}`}; zero allocation per step: ${verdict(worstProbe < 16 * 1024 && probeGcs === 0 && timingGcs === 0)} (${timingGcs} garbage collections while timing our wasm steps, ${probeGcs} in the probes, largest heap growth ${(worstProbe / 1024).toFixed(1)} KiB over ≥ ${fewestProbeSteps.toLocaleString('en-US')} steps; the bar is 16 KiB and no collection; and test/model/gru-zero-allocation.test.ts).
`;
}

const finished = previous ? new Date(report.finished) : new Date();
report.finished = finished.toISOString();
report.loadAfter ??= loadavg()[0];
const lstmMeasured = [...SECTIONS].filter((name) => LSTM_SECTIONS.includes(name));
if (args.merge && lstmMeasured.length > 0) {
  (report.remeasured ??= []).push({ sections: lstmMeasured, command: `npm run bench -- ${process.argv.slice(2).join(' ')}`, started: mergeStarted.toISOString(), finished: new Date().toISOString(), load: loadavg()[0] });
}
if (lstmBlock) sections.push(mustShowSummary());
const header = `## Speed (issue 7)

Measured ${started.toISOString().slice(0, 16).replace('T', ' ')}–${finished.toISOString().slice(11, 16)} UTC on ${report.cpu} (${report.cpus} cores, shared with other work: load average ${loadBefore.toFixed(1)} at the start, ${report.loadAfter.toFixed(1)} at the end), Node ${process.version}${gccVersion ? `, ${gccVersion}` : ''}.
Command: \`${COMMAND}\` (${report.rounds} rounds; each peer and size runs in its own process, ${REPEATS} timed repeats of about ${REPEAT_MS} ms after a 300 ms warm-up; medians over all repeats of all rounds). C ceiling: \`${C_COMPILE.join(' ').replace(CACHE_DIR, '…')}\`.`;
const remeasured = (report.remeasured ?? []).map((r) => `Re-measured later: ${r.sections.join(', ')} with \`${r.command}\` (${r.started.slice(11, 16)}–${r.finished.slice(11, 16)} UTC, load average ${r.load.toFixed(1)} at the end).`);
const section = `${[header, ...remeasured].join('\n')}\n\n${sections.join('\n\n')}\n`;
if (!RENDER) writeFileSync(SPEED_JSON, JSON.stringify(report, null, 1));
if (lstmBlock) process.stdout.write(section);
if (gruSection !== null) process.stdout.write(`${lstmBlock ? '\n' : ''}${gruSection}`);
if (!args['no-write']) {
  const path = new URL('./RESULTS.md', import.meta.url);
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '# Benchmark results\n\nEach section is written by its benchmark; the command that produced it is in the section.\n';
  }
  const speedEnd = '<!-- speed:end -->';
  /** Replaces the block between the markers, or adds it (after the Speed block when there is one). */
  const writeBlock = (begin, end, body) => {
    const block = `${begin}\n${body}${end}`;
    if (text.includes(begin)) text = text.replace(new RegExp(`${escape(begin)}[\\s\\S]*?${escape(end)}`), () => block);
    else if (begin !== SPEED_BEGIN && text.includes(speedEnd)) text = text.replace(speedEnd, () => `${speedEnd}\n\n${block}`);
    else text = `${text.trimEnd()}\n\n${block}\n`;
  };
  const SPEED_BEGIN = '<!-- speed:begin (written by `npm run bench`) -->';
  if (lstmBlock) writeBlock(SPEED_BEGIN, speedEnd, section);
  if (gruSection !== null) writeBlock('<!-- gru-speed:begin (written by `npm run bench -- --sections gru`) -->', '<!-- gru-speed:end -->', gruSection);
  writeFileSync(path, text);
  log('wrote bench/RESULTS.md');
}

/** The issue's must-show items, judged from this run's numbers. */
function mustShowSummary() {
  const lines = [];
  const verdict = (ok) => (ok ? 'met' : '**not met**');
  const step = report.step;
  if (step) {
    const worstRatio = SIZES.map((H) => {
      const ours = step['ours-f32']?.[H];
      const fastest = Math.min(...EXTERNAL_PEERS.map((id) => micro(step[id]?.[H])).filter(Number.isFinite));
      return { H, ratio: fastest / micro(ours) };
    });
    const allFaster = worstRatio.every((r) => r.ratio > 1);
    const small = worstRatio.filter((r) => r.H <= 128);
    lines.push(`1. f32 faster than every peer at every H: ${verdict(allFaster)} (our speed-up over the fastest external peer: ${worstRatio.map((r) => `H=${r.H} ${formatNumber(r.ratio)}×`).join(', ')}); at least 2× at H ≤ 128: ${verdict(small.every((r) => r.ratio >= 2))}.`);
    const bestRatio = SIZES.map((H) => ({ H, ratio: Math.min(...EXTERNAL_PEERS.map((id) => best(step[id]?.[H])).filter(Number.isFinite)) / best(step['ours-f32']?.[H]) }));
    lines.push(`   The same from the fastest repeats: ${bestRatio.map((r) => `H=${r.H} ${formatNumber(r.ratio)}×`).join(', ')}.`);
    const q8 = SIZES.map((H) => ({ H, speedup: micro(step['ours-f32']?.[H]) / micro(step['ours-q8']?.[H]) }));
    const at512 = q8.find((r) => r.H === 512);
    lines.push(`2. q8 at least as fast as f32 at every H: ${verdict(q8.every((r) => r.speedup >= 1))}; ≥ 1.5× at H = 512: ${verdict(at512 !== undefined && at512.speedup >= 1.5)} (${q8.map((r) => `H=${r.H} ${formatNumber(r.speedup)}×`).join(', ')}).`);
    const ceiling = SIZES.filter((H) => H <= 256).map((H) => ({ H, multiple: micro(step['ours-f32']?.[H]) / micro(step.c?.[H]) }));
    lines.push(`3. f32 within 1.5× of the C ceiling at H ≤ 256: ${verdict(ceiling.every((r) => r.multiple <= 1.5))} (${ceiling.map((r) => `H=${r.H} ${formatNumber(r.multiple)}×`).join(', ')}).`);
  }
  const nextword = report.nextword;
  if (nextword) {
    const cases = Object.entries(nextword).filter(([id]) => id.includes('wasm')).map(([id, e]) => `${id} ${formatNumber(median(e.times))} µs`);
    const best = Math.min(...Object.entries(nextword).filter(([id]) => id.includes('wasm')).map(([, e]) => median(e.times)));
    lines.push(`4. Next-word step under 1 ms: ${verdict(best < 1000)} for the fastest variant (${cases.join(', ')}).`);
  }
  if (step) {
    const gcs = ['ours-f32', 'ours-q8'].flatMap((id) => SIZES.map((H) => step[id]?.[H]?.gcCount ?? 0)).reduce((a, b) => a + b, 0);
    const streamGcs = (report.twomodels ?? []).filter((t) => t.backend === 'wasm').flatMap((t) => t.runs.map((r) => r.longStream.gcCount)).reduce((a, b) => a + b, 0);
    lines.push(`5. Zero garbage collections in steady state: ${verdict(gcs + streamGcs === 0)} (${gcs} while timing our f32 and q8 steps, ${streamGcs} over the long wasm streams); same answers as the TypeScript kernel: largest |Δh| ${Math.max(...SIZES.map((H) => step['ours-f32']?.[H]?.error ?? 0)).toExponential(1)} over the first steps (and test/model/wasm-session.test.ts).`);
  }
  if (report.twomodels) {
    const wasm = report.twomodels.filter((t) => t.backend === 'wasm').map((t) => ({
      t,
      change: median(t.runs.map((r) => median(r.withSecond) / median(r.alone) - 1)),
      best: median(t.runs.map((r) => Math.min(...r.withSecond) / Math.min(...r.alone) - 1)),
    }));
    lines.push(`6. A model's step time within 10 % with a second model of another size in the process (wasm kernels): by medians ${verdict(wasm.every((w) => Math.abs(w.change) <= 0.1))}, by best repeats ${verdict(wasm.every((w) => Math.abs(w.best) <= 0.1))} (${wasm.map((w) => `${w.t.first} with ${w.t.second}: ${(w.change * 100).toFixed(1)} % / ${(w.best * 100).toFixed(1)} %`).join(', ')}).`);
  }
  return `### Must-show items, as judged from this run\n\n${lines.join('\n')}`;
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
