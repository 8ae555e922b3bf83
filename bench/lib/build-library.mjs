// Bundles the library from src/ (TypeScript) into one ES module for the
// benchmark processes, with esbuild (installed with tsup): Node 20 cannot run
// .ts files, and benchmarking the sources avoids a stale dist/.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Where bench artifacts (bundle, C binary, weight files) go; under node_modules so git ignores it. */
export const CACHE_DIR = `${root}node_modules/.cache/lstm-stream-bench`;
/** The bundled library the benchmark processes import. */
export const LIBRARY_BUNDLE = `${CACHE_DIR}/lstm-stream.mjs`;

/** Builds the bundle (about 100 ms). */
export async function buildLibrary() {
  mkdirSync(CACHE_DIR, { recursive: true });
  const require = createRequire(`${root}package.json`);
  const esbuild = require('esbuild');
  await esbuild.build({
    entryPoints: [`${root}src/index.ts`],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: LIBRARY_BUNDLE,
    external: ['@msgpack/msgpack', 'node:*'],
    logLevel: 'warning',
  });
  return LIBRARY_BUNDLE;
}
