import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onNode } from '../helpers/runtime.ts';

// Node only: it packs the built package once and then starts Node, Deno and
// Bun on it itself, so the Deno and Bun runs of this file would only repeat it.
// Needs a fresh dist/ (npm test builds first).
const root = resolve(import.meta.dirname, '../..');
const bin = (name: string): string => join(root, 'node_modules/.bin', name);

describe.skipIf(!onNode)('the packed package', () => {
  let project = '';
  let tarballPath = '';

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'lstm-stream-pack-'));
    // --ignore-scripts: dist/ is already built, and prepare's output would mix into the JSON.
    const packed = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: root, encoding: 'utf8' });
    const tarball = (JSON.parse(packed) as { filename: string }[])[0].filename;
    tarballPath = join(project, tarball);
    const installed = join(project, 'node_modules/lstm-stream');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(project, tarball), '-C', installed, '--strip-components=1']);
    // The one runtime dependency comes from this repository's install.
    mkdirSync(join(project, 'node_modules/@msgpack'), { recursive: true });
    symlinkSync(join(root, 'node_modules/@msgpack/msgpack'), join(project, 'node_modules/@msgpack/msgpack'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(join(project, 'probe.mjs'), PROBE_ESM);
    writeFileSync(join(project, 'probe.cjs'), PROBE_CJS);
  }, 120_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  const expected = 'lstm 3 layers logits 5';

  it('imports with `import` on Node', () => {
    expect(execFileSync(process.execPath, ['probe.mjs'], { cwd: project, encoding: 'utf8' }).trim()).toBe(expected);
  });

  it('loads with `require` on Node', () => {
    expect(execFileSync(process.execPath, ['probe.cjs'], { cwd: project, encoding: 'utf8' }).trim()).toBe(expected);
  });

  it('imports with `import` on Deno', () => {
    const out = execFileSync(bin('deno'), ['run', '--quiet', '--node-modules-dir=manual', '-A', 'probe.mjs'], { cwd: project, encoding: 'utf8' });
    expect(out.trim()).toBe(expected);
  });

  it('imports with `import` on Bun', () => {
    expect(execFileSync(bin('bun'), ['probe.mjs'], { cwd: project, encoding: 'utf8' }).trim()).toBe(expected);
  });

  it('passes publint and arethetypeswrong', () => {
    // Both read the tarball's own files, so they see exactly what a user installs.
    const publint = execFileSync(bin('publint'), ['--strict', '--pack', 'false'], { cwd: join(project, 'node_modules/lstm-stream'), encoding: 'utf8' });
    expect(publint).toContain('All good!');
    const attw = execFileSync(bin('attw'), [tarballPath, '--format', 'json'], { cwd: root, encoding: 'utf8' });
    const report = JSON.parse(attw) as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
  });
});

const PROBE_BODY = `
const model = lib.createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: 5, inputSize: 4, hiddenSize: 4, numLayers: 3, head: 'softmax', outputSize: 5 });
const logits = model.session().step(2);
if (typeof train.createRandomModel !== 'function') throw new Error('lstm-stream/train did not load');
if (typeof interop.importOnnx !== 'function') throw new Error('lstm-stream/interop did not load');
console.log(model.architecture.cell, model.layers.length, 'layers', 'logits', logits.length);
`;
const PROBE_ESM = `import * as lib from 'lstm-stream';\nimport * as train from 'lstm-stream/train';\nimport * as interop from 'lstm-stream/interop';\n${PROBE_BODY}`;
const PROBE_CJS = `const lib = require('lstm-stream');\nconst train = require('lstm-stream/train');\nconst interop = require('lstm-stream/interop');\n${PROBE_BODY}`;
