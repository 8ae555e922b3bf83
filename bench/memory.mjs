// What a loaded model costs in memory (issue 15, must show 1): resident
// growth (rss after forced collections) from before loading to after load +
// N sessions + predictNext(5) on each, for the shipped q8 file and the same
// weights as f32 and q4, on the WebAssembly and TypeScript kernels, with 1,
// 10 and 1,000 sessions. Each figure is the median of REPEATS fresh processes
// (bench/memory-worker.mjs), first as the first model of a process (what
// `npm start` pays, compiled code included) and then as one more model in a
// process that has already loaded one (the model's own cost).
//   npm run build && node bench/memory.mjs [REPEATS]   (default 5)
// Writes the f32 and q4 files to node_modules/.cache/lstm-stream-bench/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const repeats = Number(process.argv[2] ?? 5);
const cache = `${root}node_modules/.cache/lstm-stream-bench`;
mkdirSync(cache, { recursive: true });
const shipped = `${root}models/brown-lstm.q8.msgpack`;
const files = { q8: shipped, f32: `${cache}/brown-lstm.f32.msgpack`, q4: `${cache}/brown-lstm.q4.msgpack` };
const cli = (...args) => execFileSync(process.execPath, [`${root}dist/cli.js`, ...args], { stdio: 'ignore' });
cli('quantize', shipped, files.f32, '--dtype', 'f32');
cli('quantize', files.f32, files.q4, '--dtype', 'q4');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const measure = (file, sessions, backend, warm) => {
  const runs = [];
  for (let r = 0; r < repeats; r++) {
    const output = execFileSync(process.execPath, ['--expose-gc', `${root}bench/memory-worker.mjs`, file, String(sessions), backend, warm ? '1' : '0'], { encoding: 'utf8' });
    runs.push(JSON.parse(output.trim().split('\n').pop()));
  }
  return { rss: median(runs.map((run) => run.rss)), heap: median(runs.map((run) => run.heap)), external: median(runs.map((run) => run.external)), weights: runs[0].weights };
};
const mib = (bytes) => (bytes / 1048576).toFixed(2);

console.log(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus()[0].model.trim()} (${cpus().length} cores), Node ${process.version}, load average ${loadavg()[0].toFixed(1)}; medians of ${repeats} processes each.`);
console.log('Command: `npm run build && node bench/memory.mjs' + (process.argv[2] ? ` ${repeats}` : '') + '`\n');
console.log('| file | size | kernels | sessions | weights held (byteLength) | rss growth, first model | × file | rss growth, one more model | × file | heap + external growth (first) |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [dtype, file] of Object.entries(files)) {
  const size = statSync(file).size;
  for (const backend of ['wasm', 'typescript']) {
    for (const sessions of [1, 10, 1000]) {
      const first = measure(file, sessions, backend, false);
      const more = measure(file, sessions, backend, true);
      console.log(
        `| ${dtype} | ${mib(size)} MiB | ${backend} | ${sessions} | ${mib(first.weights)} MiB | ${mib(first.rss)} MiB | ${(first.rss / size).toFixed(2)} | ${mib(more.rss)} MiB | ${(more.rss / size).toFixed(2)} | ${mib(first.heap + first.external)} MiB |`,
      );
    }
  }
}
