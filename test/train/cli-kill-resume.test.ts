import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel } from '../../src/format/decode-model.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/index.ts';
import { onNode } from '../helpers/runtime.ts';
import { ensureBuiltDist, repositoryRoot } from './dist-build.ts';

const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-kill-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const cli = join(repositoryRoot, 'dist/cli.js');

/** Writes `length` tokens, mostly the cycle of the first `wordCount` letters, to a token file; returns its path. */
function writeCyclicTokens(name: string, wordCount: number, length: number, random: SeededRandom): string {
  const words = 'abcdefgh'.slice(0, wordCount).split('');
  const tokens = Array.from({ length }, (_, t) => (random.next() < 0.7 ? words[t % wordCount] : words[random.integer(wordCount)]));
  const path = join(directory, name);
  writeFileSync(path, `${tokens.join('\n')}\n`);
  return path;
}

/** Runs `lstm-stream train` to the end with these options, writing `out`; the reference an interrupted run must match. */
function trainUninterrupted(options: string[], out: string): void {
  expect(spawnSync(process.execPath, [cli, 'train', ...options, '--out', out], { encoding: 'utf8' }).status).toBe(0);
}

// Must-show 4 with a real process: `lstm-stream train` is killed with SIGKILL
// (no chance to save anything) at a random moment after its first periodic
// checkpoint, resumed with --resume, and must write the same model file,
// byte for byte, as a run that was never interrupted. Needs the built CLI
// and child processes, so Node only.
describe.skipIf(!onNode)('lstm-stream train killed and resumed', () => {
  beforeAll(() => ensureBuiltDist(), 120_000);

  it('SIGKILL at a random point, then --resume, gives the bytes of an uninterrupted run', async () => {
    const random = new SeededRandom(Date.now());
    const trainPath = writeCyclicTokens('train.txt', 8, 6000, random);
    const common = ['--train', trainPath, '--embedding', '8', '--hidden', '16', '--batch', '4', '--window', '10', '--epochs', '3', '--dropout', '0.1', '--kernel', 'typescript'];
    const whole = join(directory, 'whole.msgpack');
    trainUninterrupted(common, whole);

    const parts = join(directory, 'parts.msgpack');
    const checkpoint = `${parts}.ckpt`;
    // A checkpoint every 6 ms of training (the option is in minutes).
    const child = spawn(process.execPath, [cli, 'train', ...common, '--out', parts, '--checkpoint-minutes', '0.0001'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = Date.now();
    while (!existsSync(checkpoint) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, random.integer(150)));
    child.kill('SIGKILL');
    const code = await exited;
    expect(existsSync(checkpoint)).toBe(true);
    if (code === 0) return; // finished before the kill landed (a very fast machine): nothing to resume
    expect(existsSync(parts)).toBe(false); // killed before the end: no model file yet
    const resumed = spawnSync(process.execPath, [cli, 'train', ...common, '--out', parts, '--resume'], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readFileSync(parts).equals(readFileSync(whole))).toBe(true);
  }, 120_000);

  it('Ctrl-C (SIGINT) writes a checkpoint and exits 130; --resume finishes with the same bytes', async () => {
    const trainPath = writeCyclicTokens('train-sigint.txt', 6, 8000, new SeededRandom(5));
    const common = ['--train', trainPath, '--embedding', '8', '--hidden', '16', '--batch', '4', '--window', '10', '--epochs', '8', '--kernel', 'typescript', '--checkpoint-minutes', '0'];
    const whole = join(directory, 'whole-sigint.msgpack');
    trainUninterrupted(common, whole);
    const parts = join(directory, 'parts-sigint.msgpack');
    const child = spawn(process.execPath, [cli, 'train', ...common, '--out', parts], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the first epoch is done (its summary line is on stderr).
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/epoch 1: train loss/.test(stderr)) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toMatch(/stopped by request; checkpoint .*parts-sigint\.msgpack\.ckpt/);
    expect(existsSync(parts)).toBe(false);
    // The weights as they stood are written beside it, loadable as a model.
    const stoppedPath = parts.replace(/\.msgpack$/, '.stopped.msgpack');
    expect(stdout).toContain(`wrote the current weights to ${stoppedPath}`);
    expect(decodeModel(readFileSync(stoppedPath)).architecture.hiddenSize).toBe(16);
    const resumed = spawnSync(process.execPath, [cli, 'train', ...common, '--out', parts, '--resume'], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readFileSync(parts).equals(readFileSync(whole))).toBe(true);
  }, 120_000);
});
