// Process start → first suggestions of `npm start` (issue 15, must show 3):
// the phases (bench/start-phases.mjs, one fresh process each) and the
// end-to-end time of `node dist/cli.js start --no-interactive` (spawn to its
// first line of suggestions on stdout), for this checkout and, with
// BASELINE=DIR (a checkout of an older commit with its own dist/ built), for
// that one too, alternating run by run so the machine's load hits both alike.
// Medians of RUNS (default 15).
//   npm run build && [BASELINE=/tmp/old] node bench/start-time.mjs [RUNS]
// A baseline: git worktree add /tmp/old COMMIT && ln -s $PWD/node_modules /tmp/old/ && (cd /tmp/old && npx tsup)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
const model = `${root}models/brown-lstm.q8.msgpack`;
const cache = `${root}node_modules/.cache/lstm-stream-bench`;
mkdirSync(cache, { recursive: true });
const esbuild = createRequire(`${root}package.json`)('esbuild');

async function bundle(checkout, name) {
  const outfile = `${cache}/start-phases-${name}.mjs`;
  await esbuild.build({
    stdin: { contents: readFileSync(`${root}bench/start-phases-entry.ts`, 'utf8').replaceAll('../src/', `${checkout}/src/`), resolveDir: root, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'node', target: 'es2022', outfile, external: ['@msgpack/msgpack'], logLevel: 'warning',
  });
  return outfile;
}

const checkouts = [{ name: 'this checkout', dir: root.replace(/\/$/, '') }];
if (process.env.BASELINE) checkouts.unshift({ name: `baseline (${process.env.BASELINE})`, dir: process.env.BASELINE.replace(/\/$/, '') });
for (const checkout of checkouts) checkout.bundle = await bundle(checkout.dir, checkout === checkouts[0] && checkouts.length > 1 ? 'baseline' : 'current');

function endToEnd(dir) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [`${dir}/dist/cli.js`, 'start', '--no-interactive'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    let firstLine = null;
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (firstLine === null && text.includes('\n')) firstLine = performance.now() - started;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const reported = /first suggestions (\d+) ms after start/.exec(text);
      if (code !== 0 || firstLine === null || reported === null) reject(new Error(`start in ${dir} exited ${code}: ${text.slice(0, 300)}`));
      else resolve({ spawnToFirstLine: firstLine, reported: Number(reported[1]) });
    });
  });
}

const results = checkouts.map(() => ({ phases: [], ends: [] }));
for (let r = 0; r < runs; r++) {
  checkouts.forEach((checkout, i) => {
    const output = execFileSync(process.execPath, [`${root}bench/start-phases.mjs`, checkout.bundle, model], { encoding: 'utf8' });
    results[i].phases.push(JSON.parse(output.trim().split('\n').pop()));
  });
  for (const [i, checkout] of checkouts.entries()) results[i].ends.push(await endToEnd(checkout.dir));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const names = ['boot', 'import', 'read', 'parse', 'build', 'compile', 'kernels', 'suggest', 'total'];
console.log(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus()[0].model.trim()} (${cpus().length} cores), Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end; medians of ${runs} fresh processes, the checkouts alternating.`);
console.log(`Command: \`${process.env.BASELINE ? `BASELINE=${process.env.BASELINE} ` : ''}node bench/start-time.mjs ${runs}\`\n`);
console.log(`| | ${names.join(' | ')} | \`start\`: spawn → first line | \`start\`: its own report |`);
console.log(`| --- | ${names.map(() => '---:').join(' | ')} | ---: | ---: |`);
checkouts.forEach((checkout, i) => {
  const cells = names.map((name) => median(results[i].phases.map((p) => p[name])).toFixed(1));
  const spawnToFirst = median(results[i].ends.map((e) => e.spawnToFirstLine)).toFixed(0);
  const reported = median(results[i].ends.map((e) => e.reported)).toFixed(0);
  console.log(`| ${checkout.name} | ${cells.join(' | ')} | ${spawnToFirst} | ${reported} |`);
});
