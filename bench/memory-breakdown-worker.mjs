// One measurement of bench/memory-breakdown.mjs, in a fresh process (Linux: reads /proc/self/smaps):
//   node --expose-gc [V8 FLAGS] bench/memory-breakdown-worker.mjs MODEL WARM
// Prints one JSON line: the resident growth, in bytes, of each kind of mapping
// from just before loadModel to after the model is loaded and one session has
// stepped once and answered predictNext(5), after two forced collections.
// WARM 1: the same file is loaded, stepped and kept once before the baseline.
import { readFileSync } from 'node:fs';
import { loadModel, predictNext } from '../dist/index.js';

const [path, warm] = process.argv.slice(2);
const V8_PAGE = 256 * 1024;

// Resident kB per kind: the node binary's own pages (code and data the
// engine touches for the first time), malloc's main heap, V8's 256 KiB heap
// pages, and other anonymous mappings (WebAssembly memories, malloc's thread
// arenas that compiler threads use, large buffers).
function residentByKind() {
  globalThis.gc();
  globalThis.gc();
  const kinds = { nodeBinary: 0, mallocHeap: 0, v8Pages: 0, otherAnonymous: 0, otherFiles: 0 };
  let kind = null;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (mapping) {
      const size = parseInt(mapping[2], 16) - parseInt(mapping[1], 16);
      const name = mapping[4];
      if (name === process.execPath || name.endsWith('/node')) kind = 'nodeBinary';
      else if (name === '[heap]') kind = 'mallocHeap';
      else if (name.startsWith('/')) kind = 'otherFiles';
      else if (name === '' && size === V8_PAGE) kind = 'v8Pages';
      else kind = name === '' ? 'otherAnonymous' : null;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && kind !== null) kinds[kind] += Number(rss[1]) * 1024;
  }
  const m = process.memoryUsage();
  return { ...kinds, rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

const use = async () => {
  const model = await loadModel(path);
  const session = model.session();
  session.step(1);
  predictNext(session, 5);
  return { model, session };
};

const kept = warm === '1' ? await use() : null;
const before = residentByKind();
const held = await use();
const after = residentByKind();
const growth = {};
for (const key of Object.keys(after)) growth[key] = after[key] - before[key];
console.log(JSON.stringify({ ...growth, weights: held.model.byteLength, warmUpWeights: kept?.model.byteLength ?? 0 }));
