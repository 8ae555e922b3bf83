// `lstm-stream serve` as systemd runs it (issue 17, Must show 5): the built
// CLI with the shipped model on a free loopback port; SIGTERM while requests
// are in flight lets them finish with 200, refuses new connections, and the
// process exits 0. Needs `npm run build` (npm test runs it first).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/index.ts';
import { onNode } from '../helpers/runtime.ts';
import { call, openSocket, readResponse } from './serve-helpers.ts';

const root = new URL('../../', import.meta.url).pathname;
const CLI = join(root, 'dist/cli.js');
const MODEL = 'models/brown-lstm.q8.msgpack';

/** Starts `node dist/cli.js serve …` and resolves with the URL it prints once listening. */
function startCli(args: readonly string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn('node', [CLI, 'serve', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (found) resolve({ child, url: found[1], stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
}

describe.skipIf(!onNode || !existsSync(CLI))('lstm-stream serve (the built CLI)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'lstm-stream-serve-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });

  it('finishes the requests in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const tokenFile = join(folder, 'token');
    writeFileSync(tokenFile, 'a-long-random-token\n', { mode: 0o600 });
    const { child, url, stderr } = await startCli([MODEL, '--port', '0', '--token-file', tokenFile]);
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const bearer = { authorization: 'Bearer a-long-random-token' };
    expect((await call(url, 'POST', '/v1/sessions')).status).toBe(401);
    const id = (await call(url, 'POST', '/v1/sessions', undefined, bearer)).json.id as string;
    expect((await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: 'The jury said ' }, bearer)).status).toBe(200);

    // Five requests in flight: headers in, bodies half sent.
    const port = Number(new URL(url).port);
    const body = JSON.stringify({ text: 'The jury said it was ', count: 3 });
    const inFlight = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const socket = await openSocket(port);
        socket.write(`PUT /v1/sessions/${id}/text HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a-long-random-token\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
        return socket;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    // The listener closes first: a new connection is refused.
    for (let tries = 0; ; tries++) {
      const refused = await fetch(`${url}/healthz`).then(
        () => false,
        () => true,
      );
      if (refused) break;
      expect(tries).toBeLessThan(50);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(child.exitCode).toBeNull(); // still finishing
    const answers = await Promise.all(
      inFlight.map(async (socket) => {
        socket.write(body.slice(10));
        const answer = await readResponse(socket);
        socket.destroy();
        return answer;
      }),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body).suggestions).toHaveLength(3);
    }
    expect(await exited).toBe(0);
    expect(stderr()).toContain('SIGTERM: finishing the requests in flight');
    expect(stderr()).toContain('stopped');
  });

  it('refuses a bad option with its code and exit status 1', () => {
    const result = spawnSync('node', [CLI, 'serve', MODEL, '--port', 'eighty'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(ErrorCode.SERVE_OPTION_INVALID);
    const help = spawnSync('node', [CLI, 'help', 'serve'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(help.stdout).toContain('--token-file');
  });
});
