import { describe, expect, it } from 'vitest';
import { KERNEL_WASM_BASE64 } from '../../src/math/wasm/kernel-bytes.ts';
import { onNode } from '../helpers/runtime.ts';

// Node only: the check assembles kernels.wat with wabt (an Emscripten build),
// once is enough, and the Deno and Bun runs test the same committed bytes.
describe.skipIf(!onNode)('kernel-bytes.ts', () => {
  it('is exactly what scripts/build-wasm.mjs assembles from kernels.wat (run `npm run build:wasm` after editing the .wat)', async () => {
    // @ts-expect-error: a plain .mjs build script without type declarations
    const { assembleKernels, kernelModuleText } = await import('../../scripts/assemble-kernels.mjs');
    const bytes: Uint8Array = await assembleKernels();
    expect(Buffer.from(bytes).toString('base64')).toBe(KERNEL_WASM_BASE64);
    const { readFileSync } = await import('node:fs');
    const committed = readFileSync(new URL('../../src/math/wasm/kernel-bytes.ts', import.meta.url), 'utf8');
    expect(committed).toBe(kernelModuleText(bytes));
  });
});
