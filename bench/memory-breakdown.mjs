// Where the resident growth of loading the shipped model goes (issue 15,
// must show 1): the growth by kind of mapping for the first model of a fresh
// process, the same with V8's young generation held at 1 MiB
// (--max-semi-space-size=1), and one more model in a process that has loaded
// it once. Medians of REPEATS fresh processes (bench/memory-breakdown-worker.mjs).
// Linux only (/proc/self/smaps).
//   npm run build && node bench/memory-breakdown.mjs [REPEATS]   (default 5)
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const repeats = Number(process.argv[2] ?? 5);
const model = `${root}models/brown-lstm.q8.msgpack`;
const size = statSync(model).size;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mib = (bytes) => (bytes / 1048576).toFixed(2);
const columns = ['rss', 'nodeBinary', 'mallocHeap', 'v8Pages', 'otherAnonymous', 'heapUsed', 'external'];

const cases = [
  ['first model in a fresh process', [], '0'],
  ['first model, young generation ≤ 1 MiB (--max-semi-space-size=1)', ['--max-semi-space-size=1'], '0'],
  ['one more model (the file loaded once before)', [], '1'],
];
console.log(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus()[0].model.trim()} (${cpus().length} cores), Node ${process.version}, load average ${loadavg()[0].toFixed(1)}; medians of ${repeats} processes each; shipped q8 file ${mib(size)} MiB.`);
console.log('Command: `npm run build && node bench/memory-breakdown.mjs' + (process.argv[2] ? ` ${repeats}` : '') + '`\n');
console.log('| case | rss growth | × file | node binary pages | malloc main heap | V8 heap pages | other anonymous (WebAssembly memory, malloc thread arenas) | V8 heapUsed | V8 external |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, flags, warm] of cases) {
  const runs = [];
  for (let r = 0; r < repeats; r++) {
    const output = execFileSync(process.execPath, ['--expose-gc', ...flags, `${root}bench/memory-breakdown-worker.mjs`, model, warm], { encoding: 'utf8' });
    runs.push(JSON.parse(output.trim().split('\n').pop()));
  }
  const m = Object.fromEntries(columns.map((c) => [c, median(runs.map((run) => run[c]))]));
  console.log(`| ${name} | ${mib(m.rss)} MiB | ${(m.rss / size).toFixed(2)} | ${mib(m.nodeBinary)} | ${mib(m.mallocHeap)} | ${mib(m.v8Pages)} | ${mib(m.otherAnonymous)} | ${mib(m.heapUsed)} | ${mib(m.external)} |`);
}
