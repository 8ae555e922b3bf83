// Data-parallel speed-up: the same training (embedding 256, hidden 256,
// vocabulary 10,000, window 35, batch 20, wasm kernel) on 1 and on 2 threads,
// alternating in one process, medians of the rounds.
//   npm run build && node bench/train-workers.mjs [--repeats 5] [--windows 4] [--classes 100]
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { createRandomModel, SeededRandom } from '../dist/index.js';
import { train } from '../dist/train.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '5' }, windows: { type: 'string', default: '4' }, classes: { type: 'string', default: '100' } } });
const repeats = Number(values.repeats);
const windows = Number(values.windows);
const V = 10_000;
const random = new SeededRandom(1);
const count = 20 * 35 * (windows + 1) + 1;
const tokens = Int32Array.from({ length: count }, () => Math.min(V - 1, Math.floor(Math.exp(random.next() * Math.log(V))) - 1));

async function run(workers) {
  const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 256, hiddenSize: 256, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 1 });
  const times = [];
  const cpu = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  await train(model, {
    train: { inputs: tokens.subarray(0, count - 1), targets: tokens.subarray(1), inputWidth: 1, targetWidth: 1 },
    batchSize: 20, window: 35, epochs: 1, maxWindowsPerEpoch: windows + 1, classCount: Number(values.classes), workers,
    onProgress: () => {
      const now = performance.now();
      const nowCpu = process.cpuUsage();
      times.push(now - last);
      cpu.push((nowCpu.user + nowCpu.system - lastCpu.user - lastCpu.system) / 1000);
      last = now;
      lastCpu = nowCpu;
    },
  });
  const measured = times.slice(1);
  const measuredCpu = cpu.slice(1);
  // Wall-clock tokens/s, and tokens per CPU-second of the whole process (all threads): the
  // second shows whether the threads waste work (it should stay close to the 1-thread figure).
  return [(measured.length * 700) / (measured.reduce((s, v) => s + v, 0) / 1000), (measuredCpu.length * 700) / (measuredCpu.reduce((s, v) => s + v, 0) / 1000)];
}

/** Control: how many cores two busy threads of this process actually get right now (2.00 on an idle 2-core machine). */
async function coresAvailable() {
  const worker = new Worker(`const end = Date.now() + 1500; let x = 0; while (Date.now() < end) x++; require('node:worker_threads').parentPort.postMessage(x);`, { eval: true });
  const start = Date.now();
  const before = process.cpuUsage();
  for (let x = 0; Date.now() < start + 1500; ) x++;
  await new Promise((resolve) => worker.on('message', resolve));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (Date.now() - start);
}

const control = [await coresAvailable()];
const one = [];
const two = [];
const load = [loadavg()[0]];
const oneCpu = [];
const twoCpu = [];
for (let r = 0; r < repeats; r++) {
  const [a, aCpu] = await run(1);
  const [b, bCpu] = await run(2);
  one.push(a);
  two.push(b);
  oneCpu.push(aCpu);
  twoCpu.push(bCpu);
  process.stderr.write(`round ${r + 1}: 1 thread ${a.toFixed(0)}, 2 threads ${b.toFixed(0)} tokens/s (per CPU-second ${aCpu.toFixed(0)}, ${bCpu.toFixed(0)})\n`);
}
load.push(loadavg()[0]);
control.push(await coresAvailable());
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const ratios = one.map((v, i) => two[i] / v);
console.log(`${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' → ')}; two spinning threads got ${control.map((c) => c.toFixed(2)).join(' → ')} cores; ${values.classes === '0' ? 'full softmax' : `${values.classes} frequency classes`}`);
console.log(`| threads | tokens/s (median of ${repeats}) | runs | tokens per CPU-second (median) |`);
console.log('| --- | ---: | --- | ---: |');
console.log(`| 1 | ${median(one).toFixed(0)} | ${one.map((v) => v.toFixed(0)).join(', ')} | ${median(oneCpu).toFixed(0)} |`);
console.log(`| 2 | ${median(two).toFixed(0)} | ${two.map((v) => v.toFixed(0)).join(', ')} | ${median(twoCpu).toFixed(0)} |`);
console.log(`speed-up: median of per-round ratios ${median(ratios).toFixed(2)}× (${ratios.map((v) => v.toFixed(2)).join(', ')})`);
