// Starts examples/raspberry-pi/suggest-server.mjs as the systemd unit does
// (a `node …` process), asks it for suggestions over HTTP, and stops it with
// SIGTERM. On Node only: it is a `node …` program (Deno and Bun would run the same).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onNode } from '../helpers/runtime.ts';
import { charModel, root } from './run-example.ts';

describe.skipIf(!onNode)('example: the Raspberry Pi suggestion service', () => {
  let server: ChildProcess;
  let base = '';

  beforeAll(async () => {
    // The character model stands in for the word model until it is shipped; the service code is the same for both.
    server = spawn('node', ['examples/raspberry-pi/suggest-server.mjs', '--model', charModel, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    base = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /http:\/\/[\d.]+:\d+/.exec(out);
        if (found) resolve(found[0]);
      });
      server.once('exit', (code) => reject(new Error(`the service exited with ${code} before listening`)));
    });
  });

  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  it('answers /suggest with completions of the word being typed and /health with its memory', async () => {
    const answer = (await (await fetch(`${base}/suggest?text=${encodeURIComponent('The Grand Ju')}&count=3`)).json()) as {
      text: string;
      suggestions: { word: string; probability: number }[];
      microseconds: number;
    };
    expect(answer.text).toBe('The Grand Ju');
    expect(answer.suggestions).toHaveLength(3);
    for (const { word, probability } of answer.suggestions) {
      expect(word.startsWith('Ju')).toBe(true);
      expect(probability > 0 && probability <= 1).toBe(true);
    }
    expect(answer.microseconds).toBeGreaterThan(0);
    const health = (await (await fetch(`${base}/health`)).json()) as { ok: boolean; rssBytes: number };
    expect(health.ok).toBe(true);
    expect(health.rssBytes).toBeGreaterThan(10 * 2 ** 20);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  it('stops cleanly on SIGTERM, as systemctl stop sends', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
