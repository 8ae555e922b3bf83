// The C ceiling: bench/c/lstm-step.c compiled with gcc -O3 -march=native,
// run as a child process on a weight file the benchmark writes.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { CACHE_DIR } from '../lib/build-library.mjs';

const SOURCE = new URL('../c/lstm-step.c', import.meta.url).pathname;
/** The compiled binary. */
export const C_BINARY = `${CACHE_DIR}/lstm-step`;
/** The exact compile command, for RESULTS.md. */
export const C_COMPILE = ['gcc', '-O3', '-march=native', '-o', C_BINARY, SOURCE, '-lm'];

/** Compiles the C step; returns gcc's version line, or null when gcc is missing or fails. */
export function compileC() {
  try {
    execFileSync(C_COMPILE[0], C_COMPILE.slice(1), { stdio: 'pipe' });
    return execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return null;
  }
}

/** Writes the weights and inputs in the C program's format; returns the file path. */
export function writeCWeights(model, inputs) {
  const H = model.architecture.hiddenSize;
  const I = model.architecture.inputSize;
  const parts = [Int32Array.from([H, I, model.layers.length, inputs.length])];
  for (const layer of model.layers) parts.push(layer.weight.toFloat32(), layer.bias);
  for (const x of inputs) parts.push(x);
  const file = `${CACHE_DIR}/weights-${H}-${model.layers.length}.bin`;
  writeFileSync(file, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  return file;
}

/** Runs the binary: 'verify' gives the top h of each step; 'time' the µs per step of each repeat. */
export function runC(file, mode, steps, repeats = 1) {
  const args = mode === 'verify' ? [file, 'verify', String(steps)] : [file, 'time', String(steps), String(repeats)];
  return JSON.parse(execFileSync(C_BINARY, args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
}
