// The trainer's GEMM kernels side by side (GFLOP/s, median of 5 alternating
// rounds) on the shapes one training window uses: TypeScript gemmNTInto and
// the trainer's wasm kernel (src/train/kernels), plain SIMD and, where the
// runtime has relaxed SIMD, with fused multiply-adds.
//   node_modules/esbuild/bin/esbuild --bundle --platform=node --format=esm bench/train-gemm-kernels.ts --outfile=/tmp/train-gemm-kernels.mjs && node --experimental-wasm-relaxed-simd /tmp/train-gemm-kernels.mjs
//   (or node_modules/.bin/deno run -A bench/train-gemm-kernels.ts; Node 22+ needs no flag)
import { gemmNTInto } from '../src/math/gemm.ts';
import { WasmGemm as TrainerGemm } from '../src/train/kernels/wasm-gemm.ts';

type Gemm = typeof gemmNTInto;
const kernels: [string, Gemm][] = [
  ['typescript', gemmNTInto],
  ['train/kernels wasm', TrainerGemm.create('simd')!.gemmNTInto],
];
const relaxed = TrainerGemm.create('relaxed-simd');
if (relaxed !== null) kernels.push(['train/kernels wasm relaxed-simd', relaxed.gemmNTInto]);
else console.log('(relaxed SIMD is not available on this runtime: its column is left out)');

function gflops(f: Gemm, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): number {
  const reps = Math.max(1, Math.floor(2e8 / (2 * m * n * k)));
  const start = performance.now();
  for (let i = 0; i < reps; i++) f(c, 0, n, a, 0, k, b, 0, k, m, n, k, false);
  return (2 * m * n * k * reps) / ((performance.now() - start) / 1000) / 1e9;
}

const shapes: [string, number, number, number][] = [
  ['recurrent step (B × 4H × H)', 20, 1024, 256],
  ['input half over a window (T·B × 4H × I)', 700, 1024, 256],
  ['dW (4H × (I+H) × T·B)', 1024, 512, 700],
  ['class group (rows × class size × H)', 30, 150, 256],
  ['class layer (T·B × C × H)', 700, 100, 256],
  ['output layer, E = 350 (T·B × V × E)', 700, 17906, 350],
];
console.log(`| product | m × n × k | ${kernels.map(([name]) => name).join(' | ')} |`);
console.log(`| --- | --- | ${kernels.map(() => '---:').join(' | ')} |`);
for (const [label, m, n, k] of shapes) {
  const a = Float32Array.from({ length: m * k }, () => Math.random());
  const b = Float32Array.from({ length: n * k }, () => Math.random());
  const c = new Float32Array(m * n);
  const runs: number[][] = kernels.map(() => []);
  for (let round = 0; round < 5; round++) kernels.forEach(([, f], i) => runs[i].push(gflops(f, m, n, k, a, b, c)));
  const medians = runs.map((r) => r.sort((x, y) => x - y)[2].toFixed(1));
  console.log(`| ${label} | ${m} × ${n} × ${k} | ${medians.join(' | ')} |`);
}
