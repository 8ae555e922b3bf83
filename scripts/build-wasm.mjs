// Regenerates src/math/wasm/kernel-bytes.ts from src/math/wasm/kernels.wat.
// Run by `npm run build:wasm` (and before `npm run build`); the output is
// committed so a fresh clone, Deno and Bun need no build step to test.
import { readFileSync, writeFileSync } from 'node:fs';
import { assembleKernels, KERNEL_MODULE, kernelModuleText } from './assemble-kernels.mjs';

const bytes = await assembleKernels();
const text = kernelModuleText(bytes);
let previous = '';
try {
  previous = readFileSync(KERNEL_MODULE, 'utf8');
} catch {}
if (previous === text) {
  console.log(`kernel-bytes.ts is up to date (${bytes.length} bytes of WebAssembly)`);
} else {
  writeFileSync(KERNEL_MODULE, text);
  console.log(`wrote kernel-bytes.ts (${bytes.length} bytes of WebAssembly)`);
}
