import { defineConfig } from 'tsup';

// Two builds: the library entries (ESM + CJS + .d.ts) and the CLI (ESM only,
// with a shebang). @msgpack/msgpack and node:* stay external.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', train: 'src/train/index.ts', interop: 'src/interop/index.ts', adapt: 'src/adapt/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: false,
    target: 'es2022',
    platform: 'neutral',
    external: ['@msgpack/msgpack', /^node:/],
    splitting: true,
    treeshake: true,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    external: ['@msgpack/msgpack', /^node:/],
    banner: { js: '#!/usr/bin/env node' },
    clean: false,
  },
]);
