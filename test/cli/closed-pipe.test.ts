// `lstm-stream … | head` : when the reader closes the pipe, the built CLI
// (dist/cli.js, so `npm run build` must have run) exits quietly with status
// 0 instead of printing an unhandled EPIPE stack trace (src/cli/closed-pipe.ts,
// installed once in src/cli/main.ts). Node only, like the other built-CLI tests.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exitQuietlyOnClosedPipe } from '../../src/cli/closed-pipe.ts';
import { onNode } from '../helpers/runtime.ts';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli.js');
const model = join(root, 'models/brown-lstm.q8.msgpack');

interface Ending {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  firstLine: string;
}

/**
 * Runs the CLI with stdout into a pipe whose reader closes: at once
 * (`afterFirstLine` false, so the very first write fails), or after the
 * first line has arrived (as `| head -1` does).
 */
function runIntoClosedPipe(args: readonly string[], afterFirstLine: boolean): Promise<Ending> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    if (afterFirstLine) {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) child.stdout.destroy();
      });
    } else {
      child.stdout.destroy();
    }
    child.on('error', reject);
    child.on('close', (status, signal) => resolvePromise({ status, signal, stderr, firstLine: stdout.split('\n')[0] }));
  });
}

const COMMANDS: readonly (readonly string[])[] = [
  ['start', '--no-interactive'],
  ['inspect', model],
  ['generate', model, '--max-tokens', '20'],
  ['predict', model, 'the', 'jury'],
  ['demo'],
  ['--help'],
  ['help', 'generate'],
];

describe.skipIf(!onNode)('the built CLI writing into a closed pipe', () => {
  for (const args of COMMANDS) {
    it(`lstm-stream ${args.map((a) => (a === model ? 'MODEL' : a)).join(' ')}, reader closed before the first write: exit 0, nothing on stderr`, async () => {
      const ending = await runIntoClosedPipe(args, false);
      expect(ending.stderr).not.toMatch(/EPIPE|Error/);
      expect(ending.stderr).toBe('');
      expect(ending.signal).toBeNull();
      expect(ending.status).toBe(0);
    });
  }

  it('lstm-stream start --no-interactive | head -1: the first line arrives, then a quiet exit 0', async () => {
    const ending = await runIntoClosedPipe(['start', '--no-interactive'], true);
    expect(ending.firstLine.length).toBeGreaterThan(0);
    expect(ending.stderr).not.toMatch(/EPIPE|Error/);
    expect(ending.status).toBe(0);
  });

  it('lstm-stream generate (a long text) | head -1: a quiet exit 0', async () => {
    const ending = await runIntoClosedPipe(['generate', model, '--max-tokens', '2000'], true);
    expect(ending.stderr).not.toMatch(/EPIPE|Error/);
    expect(ending.status).toBe(0);
  });
});

describe('exitQuietlyOnClosedPipe', () => {
  it('exits with 0 on EPIPE and rethrows any other stream error, as Node would without a listener', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitQuietlyOnClosedPipe(stream, (code) => exits.push(code));
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([0]);
    const other = Object.assign(new Error('write EIO'), { code: 'EIO' });
    expect(() => stream.emit('error', other)).toThrow(other);
    expect(exits).toEqual([0]);
  });
});
