// Bundles vitest suites into plain node:test files for emulated Node that
// cannot run vitest itself (armhf: see vitest-on-node-test.mjs). Runs on the
// host. Each suite's `import.meta.url` keeps its source file's URL, so the
// fixtures it reads by relative path are found from the bundle too.
//
//   node scripts/arm/bundle-suites.mjs OUT_DIR test/a.test.ts test/b.test.ts …
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const shim = fileURLToPath(new URL('./vitest-on-node-test.mjs', import.meta.url));

/** Keeps `import.meta.url` of every TypeScript source as the source's own URL. */
const sourceUrls = {
  name: 'source-urls',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href)), loader: 'ts' };
    });
  },
};

/** Bundles each suite to OUT_DIR/<name>.mjs; resolves to the bundle paths. */
export async function bundleSuites(outDirectory, suites) {
  const outputs = [];
  for (const suite of suites) {
    const outfile = join(outDirectory, basename(suite).replace(/\.ts$/, '.mjs'));
    await build({
      entryPoints: [resolve(suite)],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      alias: { vitest: shim },
      plugins: [sourceUrls],
      // CommonJS packages inside an ES module bundle need a require.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      logLevel: 'error',
    });
    outputs.push(outfile);
  }
  return outputs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [outDirectory, ...suites] = process.argv.slice(2);
  for (const path of await bundleSuites(outDirectory, suites)) console.log(path);
}
