// Resident memory of a loaded q8 model vs its file size (the model-file
// issue's "close to its file size"), for a language model with hidden 256
// and vocabulary 10,000. Each load runs in a fresh process so nothing else
// is on the heap; memory is measured after a full garbage collection, with
// the file's bytes already dropped. (Sessions are left out: the WebAssembly
// kernels keep weights in WebAssembly memory, which process.memoryUsage()
// does not report.) RSS growth also counts the freed file buffer, which the
// allocator keeps.
// Run: node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/quantization-memory.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomModel, loadModel, saveModel, type Model } from '../src/index.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --v8-flags=--expose-gc (Deno) so memory can be measured after a collection');

function used(): { heap: number; arrayBuffers: number; rss: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.external, rss: m.rss }; // external holds ArrayBuffer memory (Deno reports arrayBuffers as 0)
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const path = process.argv[childIndex + 1];
  const before = used();
  const model: Model = await loadModel(path);
  const loaded = used();
  console.log(
    JSON.stringify({
      weights: model.byteLength,
      loaded: loaded.heap + loaded.arrayBuffers - before.heap - before.arrayBuffers,
      loadedRss: loaded.rss - before.rss,
      keep: model.architecture.hiddenSize, // keeps the model alive until here
    }),
  );
} else {
  const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-memory-'));
  const model = createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: 10_000, inputSize: 256, hiddenSize: 256, numLayers: 1, head: 'softmax', outputSize: 10_000 },
    { seed: 1 },
  );
  console.log('| file | file bytes | weight bytes (model.byteLength) | heap + external after load | ratio to file | RSS growth |');
  console.log('|---|---|---|---|---|---|');
  for (const dtype of ['q8', 'q4', 'f16', 'f32'] as const) {
    const path = join(directory, `lm.${dtype}.msgpack`);
    const fileBytes = await saveModel(path, model, { dtype });
    const child = spawnSync(Deno.execPath(), ['run', '-A', '--v8-flags=--expose-gc', new URL(import.meta.url).pathname, '--child', path], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!);
    const mb = (n: number): string => `${(n / 2 ** 20).toFixed(2)} MiB`;
    console.log(`| ${dtype} | ${mb(fileBytes)} | ${mb(r.weights)} | ${mb(r.loaded)} | ${(r.loaded / fileBytes).toFixed(3)} | ${mb(r.loadedRss)} |`);
  }
}

declare const Deno: { execPath(): string };
