// One fresh process of bench/start-time.mjs: where the time from process start
// to the first suggestions of `lstm-stream start` goes, phase by phase.
//   node bench/start-phases.mjs BUNDLE MODEL
// BUNDLE: an esbuild bundle of bench/start-phases-entry.ts (made by
// start-time.mjs from this checkout's src/ or a baseline's). Prints one JSON
// line of milliseconds: boot (Node until this script runs), import (parse and
// evaluate the bundle), read (the file's bytes), parse (structure scan,
// CRC-32, MessagePack decode), build (tensors, checks, Model), compile (the
// WebAssembly kernel module), kernels (weights into kernel memory,
// instances), suggest (tokenizer, the prompt's steps, the top five), total.
const boot = performance.now();
const [bundle, path] = process.argv.slice(2);
const t = [boot];
const mark = () => t.push(performance.now());
const lib = await import(bundle);
mark();
const bytes = await lib.readSource(path, { maxBytes: 1 << 30 });
mark();
const file = lib.readModelFile(bytes, { verifyChecksum: true });
mark();
// As loadModel builds a model from bytes it read itself (int8 weights as views of them; a baseline
// from before that option ignores the argument and copies).
const model = lib.buildModel(file, 'view');
mark();
lib.kernelModule();
mark();
lib.stepKernelsFor(model);
mark();
const suggestions = new lib.Suggester(model).suggest('The jury said it ', 5);
mark();
if (suggestions.length !== 5) throw new Error(`expected 5 suggestions, got ${suggestions.length}`);
const names = ['import', 'read', 'parse', 'build', 'compile', 'kernels', 'suggest'];
const phases = { boot };
names.forEach((name, i) => (phases[name] = t[i + 1] - t[i]));
phases.total = t[t.length - 1];
console.log(JSON.stringify(phases));
