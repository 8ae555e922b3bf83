// The trainer's output layer forward pass (product, bias, softmax, loss) with the softmax in
// JavaScript (Math.exp per logit) against the kernel's softmax_rows (SIMD exp in WebAssembly
// memory), alternating in one run, medians of 30 rounds; the shape of the shipped wide model's
// training: one thread's 350 rows (batch 10 × window 35) × V 17,906 × H 350. The ratio is the
// median of each round's own ratio (the two variants run back to back), which a shared machine's
// changing load moves less than the ratio of the medians.
//   node_modules/.bin/deno run -A bench/train-softmax-head.ts
import { SeededRandom } from '../src/index.ts';
import { WasmGemm } from '../src/train/kernels/wasm-gemm.ts';
import { SoftmaxHeadGraph } from '../src/train/graph/softmax-head.ts';

const rows = 350, O = 17906, H = 350;
const random = new SeededRandom(1);
const fill = (n: number, s: number) => Float32Array.from({ length: n }, () => random.uniform(-s, s));
const weight = fill(O * H, 0.1), bias = fill(O, 0.1), input = fill(rows * H, 1);
const targets = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % O);
const gemm = WasmGemm.create()!;
const heads = {
  javascript: new SoftmaxHeadGraph(H, O, rows, weight, bias, new Float32Array(O * H), new Float32Array(O), gemm.gemmNTInto, true, null),
  kernel: new SoftmaxHeadGraph(H, O, rows, weight, bias, new Float32Array(O * H), new Float32Array(O), gemm.gemmNTInto, true, gemm.softmaxNTInto),
};
const times: Record<string, number[]> = { javascript: [], kernel: [] };
const losses: Record<string, number> = {};
const ratios: number[] = [];
for (let round = 0; round < 31; round++) {
  for (const [name, head] of Object.entries(heads)) {
    const start = performance.now();
    losses[name] = head.forward(input, targets, rows);
    if (round > 0) times[name].push(performance.now() - start);
  }
  if (round > 0) ratios.push(times.javascript.at(-1)! / times.kernel.at(-1)!);
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
console.log(`${gemm.kind} products; rows ${rows}, V ${O}, H ${H}`);
for (const name of Object.keys(heads)) console.log(`${name} softmax: forward ${median(times[name]).toFixed(1)} ms (loss ${losses[name].toFixed(4)})`);
const sortedRatios = ratios.slice().sort((a, b) => a - b);
const quartile = (q: number) => sortedRatios[Math.floor(q * sortedRatios.length)].toFixed(2);
console.log(`JavaScript / kernel, median of the rounds' ratios: ${quartile(0.5)}× (quartiles ${quartile(0.25)}–${quartile(0.75)})`);
