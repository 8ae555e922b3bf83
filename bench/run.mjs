// The speed benchmark (issue 7): our step against TF.js (cpu, wasm),
// onnxruntime-node (1 thread, default threads) and a C build of the same
// fused step, side by side in one run; then q8, two layers, the next-word
// step, two models in one process, and a long stream. Every peer is checked
// against our TypeScript kernel's answers before it is timed.
//
// usage: npm run bench [-- --rounds 3 --repeats 7 --sizes 64,128,256,512 --sections step,layers,q8modes,nextword,twomodels]
//        node bench/run.mjs --render   (rewrites the section from the last run's numbers)
//        npm run bench -- --merge --sections nextword   (re-measures one section, keeps the others)
// Writes the "Speed" section of bench/RESULTS.md and the raw numbers to
// node_modules/.cache/lstm-stream-bench/speed.json.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildLibrary, CACHE_DIR } from './lib/build-library.mjs';
import { formatNumber, maxAbsDiff, median } from './lib/statistics.mjs';
import { benchArchitecture, benchInputs, benchSeed, multiplyAddsPerStep, VERIFY_STEPS } from './lib/workload.mjs';
import { compileC, C_COMPILE, runC, writeCWeights } from './peers/c.mjs';
import { quantize } from './peers/ours.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '7' },
    'repeat-ms': { type: 'string', default: '100' },
    sizes: { type: 'string', default: '64,128,256,512' },
    sections: { type: 'string', default: 'step,layers,q8modes,nextword,twomodels' },
    'no-write': { type: 'boolean', default: false },
    // Re-render RESULTS.md from the last run's speed.json without measuring.
    render: { type: 'boolean', default: false },
    // Re-measure only --sections and keep the last run's other sections.
    merge: { type: 'boolean', default: false },
  },
});
const RENDER = args.render;
const previous = RENDER || args.merge ? JSON.parse(readFileSync(`${CACHE_DIR}/speed.json`, 'utf8')) : null;
const ROUNDS = previous?.rounds ?? Number(args.rounds);
const REPEATS = previous?.repeats ?? Number(args.repeats);
const REPEAT_MS = previous?.repeatMs ?? Number(args['repeat-ms']);
const SIZES = previous?.sizes ?? args.sizes.split(',').map(Number);
const SECTIONS = new Set(args.sections.split(','));
const COMMAND = previous?.command ?? `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const TOLERANCE_F32 = 1e-4;

const log = (line) => process.stderr.write(`${line}\n`);
const library = RENDER ? null : await import(await buildLibrary());
const gccVersion = RENDER ? previous.gcc : compileC();
if (!RENDER) log(gccVersion ? `C ceiling: ${C_COMPILE.join(' ')}` : 'gcc not found: no C ceiling');
const started = previous ? new Date(previous.started) : new Date();
const loadBefore = previous ? previous.loadBefore : loadavg()[0];
const mergeStarted = new Date();

/** Our TypeScript kernel's top-layer h for the first VERIFY_STEPS steps: the answer key. */
function reference(hiddenSize, numLayers, dtype) {
  library.setKernelBackend('typescript');
  const f32 = library.createRandomModel(benchArchitecture(hiddenSize, numLayers), { seed: benchSeed(hiddenSize, numLayers) });
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

/** Runs one peer at one size: verify, then time. Returns { times: µs per step per repeat, gcCount, describe, error }. */
function measure(peer, hiddenSize, numLayers, answers) {
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
    peer: peer.peer, options: peer.options, hiddenSize, numLayers, repeatMs: REPEAT_MS, repeats: REPEATS,
  });
  const key = peer.q8 ? answers.q8 : answers.f32;
  const error = Math.max(...result.verify.map((h, t) => maxAbsDiff(h, key[t])));
  return { times: result.microsecondsPerStep, gcCount: result.gcCount, describe: result.describe, error };
}

/** Runs peers × sizes for ROUNDS rounds, alternating the peer order each round. */
function table(peers, numLayers) {
  const results = {}; // results[id][H] = { times: [], gc: [], error, rounds: [[medianOfRound]] }
  for (const H of SIZES) {
    const answers = { f32: reference(H, numLayers, 'f32'), q8: reference(H, numLayers, 'q8') };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? peers : [...peers].reverse();
      for (const peer of order) {
        const entry = ((results[peer.id] ??= {})[H] ??= { times: [], roundMedians: [], gcCount: 0, error: 0 });
        try {
          const m = measure(peer, H, numLayers, answers);
          if (!(m.error <= TOLERANCE_F32)) throw new Error(`answers differ from the TypeScript kernel by ${m.error}`);
          entry.times.push(...m.times);
          entry.roundMedians.push(median(m.times));
          entry.gcCount += m.gcCount;
          entry.error = Math.max(entry.error, m.error);
          entry.describe = m.describe;
          log(`  H=${H} L=${numLayers} ${peer.id}: ${formatNumber(median(m.times))} µs/step (max |Δh| ${m.error.toExponential(1)}, ${m.gcCount} GCs)`);
        } catch (error) {
          entry.failed = String(error.message ?? error).slice(0, 300);
          log(`  H=${H} L=${numLayers} ${peer.id}: FAILED ${entry.failed}`);
        }
      }
    }
  }
  return results;
}

const report = previous ?? {
  started: started.toISOString(), command: COMMAND, cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, gcc: gccVersion,
  rounds: ROUNDS, repeats: REPEATS, repeatMs: REPEAT_MS, sizes: SIZES, loadBefore,
};
/** In --render mode, a section is drawn when the last run measured it; otherwise when asked for. */
const wanted = (name) => (RENDER ? report[name] !== undefined : SECTIONS.has(name) || (args.merge && report[name] !== undefined));
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

Model A (one layer, H = first) is timed alone, then model B (H = second) is made and stepped in the same process, and A is timed again between B's runs. Then A streams on: the last fifth of the stream's chunks against the first fifth, and the garbage collections over the whole stream. Change of A's time is the median over ${ROUNDS} processes of (A with B / A alone − 1), from the medians of the repeats and from the best repeats (the second is less sensitive to other processes on this shared machine). Must stay within ±10 %.

| kernels | H of A | H of B | A alone (µs) | A with B (µs) | change (medians) | change (best repeats) | stream steps | last vs first chunks | GCs in the stream |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
}

const finished = previous ? new Date(report.finished) : new Date();
report.finished = finished.toISOString();
report.loadAfter ??= loadavg()[0];
if (args.merge) {
  (report.remeasured ??= []).push({ sections: [...SECTIONS], command: `npm run bench -- ${process.argv.slice(2).join(' ')}`, started: mergeStarted.toISOString(), finished: new Date().toISOString(), load: loadavg()[0] });
}
sections.push(mustShowSummary());
const header = `## Speed (issue 7)

Measured ${started.toISOString().slice(0, 16).replace('T', ' ')}–${finished.toISOString().slice(11, 16)} UTC on ${report.cpu} (${report.cpus} cores, shared with other work: load average ${loadBefore.toFixed(1)} at the start, ${report.loadAfter.toFixed(1)} at the end), Node ${process.version}${gccVersion ? `, ${gccVersion}` : ''}.
Command: \`${COMMAND}\` (${ROUNDS} rounds; each peer and size runs in its own process, ${REPEATS} timed repeats of about ${REPEAT_MS} ms after a 300 ms warm-up; medians over all repeats of all rounds). C ceiling: \`${C_COMPILE.join(' ').replace(CACHE_DIR, '…')}\`.`;
const remeasured = (report.remeasured ?? []).map((r) => `Re-measured later: ${r.sections.join(', ')} with \`${r.command}\` (${r.started.slice(11, 16)}–${r.finished.slice(11, 16)} UTC, load average ${r.load.toFixed(1)} at the end).`);
const section = `${[header, ...remeasured].join('\n')}\n\n${sections.join('\n\n')}\n`;
if (!RENDER) writeFileSync(`${CACHE_DIR}/speed.json`, JSON.stringify(report, null, 1));
process.stdout.write(section);
if (!args['no-write']) {
  const path = new URL('./RESULTS.md', import.meta.url);
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '# Benchmark results\n\nEach section is written by its benchmark; the command that produced it is in the section.\n';
  }
  const begin = '<!-- speed:begin (written by `npm run bench`) -->';
  const end = '<!-- speed:end -->';
  const block = `${begin}\n${section}${end}`;
  text = text.includes(begin) ? text.replace(new RegExp(`${escape(begin)}[\\s\\S]*?${escape(end)}`), () => block) : `${text.trimEnd()}\n\n${block}\n`;
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
