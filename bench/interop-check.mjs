// Must-show 1 through the built CLI: converts the PyTorch fixtures with
// `node dist/cli.js convert`, loads the results with the published API
// (dist/index.js) and prints the largest difference from PyTorch's numbers.
// Run after `npm run build`:  node bench/interop-check.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../dist/index.js';

const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/torch');
const json = (name) => JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8'));
const row = (tensor, t) => tensor.data.slice(t * tensor.shape.at(-1), (t + 1) * tensor.shape.at(-1));
const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const directory = mkdtempSync(join(tmpdir(), 'interop-check-'));

function convert(input, output, ...options) {
  process.stdout.write(`$ lstm-stream convert ${[input, output, ...options].join(' ')}\n`);
  process.stdout.write(execFileSync('node', [join(root, 'dist/cli.js'), 'convert', input, output, ...options], { encoding: 'utf8' }));
}

try {
  const lm = json('lm_lstm_bptt');
  for (const dtype of ['f32', 'q8']) {
    const out = join(directory, `lm_lstm.${dtype}.msgpack`);
    convert(join(fixtures, 'lm_lstm.safetensors'), out, '--dtype', dtype);
    const session = (await loadModel(out)).session();
    const worst = Math.max(...lm.inputs.map((token, t) => maxDiff(Array.from(session.step(token)), row(lm.logits, t))));
    process.stdout.write(`  ${dtype}: max |logits - lm_lstm_bptt.json| over ${lm.inputs.length} steps = ${worst.toExponential(2)}\n`);
  }
  const io = json('lstm_stack_onnx_io');
  const out = join(directory, 'lstm_stack.msgpack');
  convert(join(fixtures, 'lstm_stack.onnx'), out);
  const session = (await loadModel(out)).session();
  const worst = Math.max(...Array.from({ length: io.x.shape[0] }, (_, t) => maxDiff(Array.from(session.step(Float32Array.from(row(io.x, t)))), row(io.y, t))));
  process.stdout.write(`  max |y - lstm_stack_onnx_io.json| over ${io.x.shape[0]} steps = ${worst.toExponential(2)}; ` + `max |h_n, c_n - torch| = ${Math.max(maxDiff(Array.from(session.h), io.h_n.data), maxDiff(Array.from(session.c), io.c_n.data)).toExponential(2)}\n`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
