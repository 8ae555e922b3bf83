import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandomModel, encodeModel } from '../../src/index.ts';

// An old reader meets a version-4 file (docs/FORMAT.md §3.1): the library's
// own source from the commit before version 4, taken out of git into the
// ignored .tmp/ (so it resolves this checkout's node_modules), decodes a
// mixed-stack file and must refuse it at the version field with its own
// UNSUPPORTED_VERSION error, while it still reads what this library writes
// for plain models. Skipped where there is no git history (a packed copy).
const root = fileURLToPath(new URL('../..', import.meta.url));

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

// The commit that introduced FORMAT_VERSION = 4; its parent has the version-3 reader.
const introducing = git(['log', '-S', 'FORMAT_VERSION = 4', '--format=%H', '--', 'src/format/model-file.ts'])?.split('\n').pop() ?? '';
const oldCommit = introducing === '' ? null : git(['rev-parse', `${introducing}^`]);
const directory = join(root, '.tmp', `old-reader-${process.pid}`);
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe.skipIf(oldCommit === null)('the version-3 reader (the source before version 4)', () => {
  it('refuses a mixed-stack (version-4) file with UNSUPPORTED_VERSION, and reads a plain file written now', async () => {
    mkdirSync(directory, { recursive: true });
    const archive = execFileSync('git', ['archive', '--format=tar', oldCommit!, 'src'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', directory], { input: archive });
    const old = (await import(pathToFileURL(join(directory, 'src', 'index.ts')).href)) as typeof import('../../src/index.ts');
    expect(old.FORMAT_VERSION).toBe(3);
    const mixed = createRandomModel({
      cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 6, numLayers: 2, head: 'none', outputSize: 0,
      layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid', cell: 'gru', hiddenSize: 4 }],
    });
    let error: unknown = null;
    try {
      old.decodeModel(encodeModel(mixed));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(old.FormatError);
    expect((error as InstanceType<typeof old.FormatError>).code).toBe('UNSUPPORTED_VERSION');
    expect((error as Error).message).toBe('version is 4; this reader supports versions 1, 2 and 3');
    // What this library writes for a plain model is what the old reader knew.
    const plain = createRandomModel({ cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 2, head: 'linear', outputSize: 2 }, { seed: 5 });
    const back = old.decodeModel(encodeModel(plain));
    const x = Float32Array.of(0.5, -0.25, 1);
    expect(Array.from(back.session().step(x))).toEqual(Array.from(plain.session().step(x)));
  }, 60_000);
});
