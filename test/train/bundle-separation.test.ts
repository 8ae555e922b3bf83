import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onNode } from '../helpers/runtime.ts';
import { ensureBuiltDist, repositoryRoot } from './dist-build.ts';

/** The text of a built entry and every local chunk it imports, transitively. */
function bundleText(entry: string): string {
  const seen = new Set<string>();
  const texts: string[] = [];
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(repositoryRoot, 'dist', file), 'utf8');
    texts.push(text);
    for (const match of text.matchAll(/(?:from\s*|import\(\s*|require\(\s*)["']\.\/([^"']+)["']/g)) visit(match[1]);
  };
  visit(entry);
  return texts.join('\n');
}

// Identifiers only the trainer has (class names survive tsup, which does not minify).
const TRAINER_ONLY = ['RecurrentLayerGraph', 'NetworkGraph', 'lossAndGradients', 'LSTMCKP1', 'runGradientWorker', 'ClassSoftmaxHeadGraph'];

// Builds with tsup when dist is stale, which needs Node's child_process and
// takes seconds, so only the Node run does it.
describe.skipIf(!onNode)('the inference bundle carries no trainer code', () => {
  beforeAll(() => ensureBuiltDist(), 120_000);

  it.each(['index.js', 'index.cjs'])('dist/%s and its chunks contain no trainer-only identifier', (entry) => {
    const text = bundleText(entry);
    expect(text.length).toBeGreaterThan(10_000);
    for (const name of TRAINER_ONLY) expect(text.includes(name), name).toBe(false);
  });

  it('dist/train.js does contain them (the check looks for the right names)', () => {
    const text = bundleText('train.js');
    for (const name of TRAINER_ONLY) expect(text.includes(name), name).toBe(true);
  });
});
