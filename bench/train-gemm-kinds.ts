// The trainer's GEMM kernels side by side on the products of one training window of the Brown
// word model (batch 20 × window 35 = 700 rows): the output layer's logits (700 × V by k = E) and
// the recurrent layer's input product (700 × 4H by k = E). Median ms of 7 runs, interleaved.
//   node_modules/.bin/deno run -A bench/train-gemm-kinds.ts [E] [V]   (Deno has relaxed SIMD;
//   so does Node from 22, or Node 20 with --experimental-wasm-relaxed-simd)
import process from 'node:process';
import { WasmGemm } from '../src/train/kernels/wasm-gemm.ts';

const E = Number(process.argv[2] ?? 350);
const V = Number(process.argv[3] ?? 17906);
const m = 700;
const plain = WasmGemm.create('simd');
const relaxed = WasmGemm.create('relaxed-simd');
if (plain === null) throw new Error('no WebAssembly SIMD here');
if (relaxed === null) console.log('relaxed SIMD is not available on this runtime: only the plain kernel is timed');
const fill = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i));

for (const [label, n] of [['logits 700 × V', V], ['gates 700 × 4H', 4 * E]] as const) {
  const a = fill(m * E);
  const b = fill(n * E);
  const out = new Float32Array(m * n);
  const times: Record<string, number[]> = { simd: [], 'relaxed-simd': [] };
  for (let r = 0; r < 7; r++) {
    for (const kernel of [plain, relaxed]) {
      if (kernel === null) continue;
      const started = performance.now();
      kernel.gemmNTInto(out, 0, n, a, 0, E, b, 0, E, m, n, E, false);
      times[kernel.kind].push(performance.now() - started);
    }
  }
  const median = (xs: number[]) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
  const line = [`${label} (k = ${E}):`, `simd ${median(times.simd).toFixed(1)} ms`];
  if (relaxed !== null) line.push(`relaxed-simd ${median(times['relaxed-simd']).toFixed(1)} ms`, `ratio ${(median(times.simd) / median(times['relaxed-simd'])).toFixed(2)}`);
  console.log(line.join('  '));
}
