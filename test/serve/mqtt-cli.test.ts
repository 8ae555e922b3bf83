// `lstm-stream serve MODEL --mqtt URL --subscribe 'sensors/+/reading' --port 0`
// as a service runs it: the built CLI with a dense forecaster file against
// a real Mosquitto on loopback; results on the device topics, the bridge's
// metrics and health over HTTP, back after the broker restarts, exit 0 on
// SIGTERM. Needs `npm run build` (npm test runs it first) and mosquitto.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandomModel, ErrorCode, saveModel } from '../../src/index.ts';
import { loadMqttConnect } from '../../src/serve/mqtt-client-loader.ts';
import { onNode } from '../helpers/runtime.ts';
import { mosquittoMissing, startBroker, type Broker } from './mqtt-broker.ts';
import { closeClient, openClient, openCollector, waitFor } from './mqtt-clients.ts';

const root = new URL('../../', import.meta.url).pathname;
const CLI = join(root, 'dist/cli.js');

describe.skipIf(!onNode || !existsSync(CLI) || mosquittoMissing !== null)(
  `lstm-stream serve --mqtt (the built CLI)${mosquittoMissing === null ? '' : ' (skipped: mosquitto is missing)'}`,
  () => {
    const folder = mkdtempSync(join(tmpdir(), 'lstm-stream-serve-mqtt-'));
    const modelPath = join(folder, 'forecaster.msgpack');
    const children: ChildProcess[] = [];
    let broker: Broker;

    beforeAll(async () => {
      await saveModel(modelPath, createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 1, hiddenSize: 16, numLayers: 1, head: 'linear', outputSize: 1 }, { seed: 5 }));
      broker = await startBroker();
    });

    afterAll(async () => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await broker?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('forecasts per device, serves /metrics and /healthz, comes back after the broker restarts, and exits 0 on SIGTERM', async () => {
      const connect = await loadMqttConnect();
      const child = spawn('node', [CLI, 'serve', modelPath, '--mqtt', broker.url, '--subscribe', 'sensors/+/reading', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await waitFor(() => /mqtt: subscribed to sensors\/\+\/reading/.test(stdout), 20_000, () => `the CLI to subscribe (stdout ${stdout}, stderr ${stderr})`);
      const url = /metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(stdout)![1];
      const metric = async (series: string): Promise<number> => {
        const text = await (await fetch(`${url}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith(`${series} `));
        return line === undefined ? 0 : Number(line.slice(series.length + 1));
      };

      const collector = openCollector(connect, broker.url);
      const publisher = openClient(connect, broker.url, `cli-devices-${process.pid}`);
      try {
        await waitFor(() => collector.ready() && publisher.connected, 10_000, () => 'the test clients to connect');
        for (let i = 0; i < 20; i++) for (const device of ['pump-1', 'pump-2']) publisher.publish(`sensors/${device}/reading`, String(Math.sin(i / 3)), { qos: 1 });
        publisher.publish('sensors/pump-1/reading', 'not a number', { qos: 1 });
        await waitFor(() => collector.count() === 40 && collector.reports.length === 1, 10_000, () => `40 results and a report (${collector.count()}, ${collector.reports.length})`);
        expect(collector.results.get('pump-1')!.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
        expect(collector.reports[0]).toMatchObject({ topic: 'sensors/pump-1/reading', code: ErrorCode.READING_MALFORMED, payload: 'not a number' });
        expect(await metric('lstm_stream_mqtt_readings_scored_total')).toBe(40);
        expect(await metric('lstm_stream_mqtt_devices')).toBe(2);
        expect(await metric('lstm_stream_mqtt_errors_total{code="READING_MALFORMED"}')).toBe(1);
        expect(await metric('lstm_stream_mqtt_connected')).toBe(1);
        const healthy = await fetch(`${url}/healthz`);
        expect(healthy.status).toBe(200);
        expect(await healthy.json()).toMatchObject({ ok: true, connected: true, devices: 2 });

        await broker.kill();
        for (let tries = 0; (await fetch(`${url}/healthz`)).status !== 503; tries++) {
          expect(tries, 'healthz to answer 503 while the broker is down').toBeLessThan(200);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await broker.restart();
        for (let tries = 0; (await metric('lstm_stream_mqtt_reconnects_total')) !== 1 || (await metric('lstm_stream_mqtt_connected')) !== 1; tries++) {
          expect(tries, 'the bridge to reconnect').toBeLessThan(1_000);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await waitFor(() => collector.ready() && publisher.connected, 10_000, () => 'the test clients to reconnect');
        publisher.publish('sensors/pump-1/reading', '0.5', { qos: 1 });
        // The device's session outlived the connection: its count goes on at 21.
        await waitFor(() => collector.results.get('pump-1')!.at(-1)!.seq === 21, 10_000, () => `pump-1's 21st result (${JSON.stringify(collector.results.get('pump-1')!.at(-1))})`);
      } finally {
        await Promise.all([collector.close(), closeClient(publisher)]);
      }

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('SIGTERM: stopping the MQTT bridge');
      expect(stderr).toMatch(/mqtt: connected; 2 devices; 41 readings scored, 1 refused; 1 reconnects/);
      expect(stderr).toContain('stopped');
    }, 60_000);

    it('refuses what cannot work, saying why: no model, a token model, flags of the other mode', () => {
      const run = (args: string[]) => spawnSync('node', [CLI, 'serve', ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      const noModel = run(['--mqtt', broker.url]);
      expect(noModel.status).toBe(1);
      expect(noModel.stderr).toMatch(/--mqtt needs a model file with dense input/);
      const language = run(['models/brown-lstm.q8.msgpack', '--mqtt', broker.url]);
      expect(language.status).toBe(1);
      expect(language.stderr).toContain(ErrorCode.NOT_A_DENSE_MODEL);
      expect(run([modelPath, '--mqtt', broker.url, '--max-sessions', '3']).stderr).toMatch(/--max-sessions is an option of the HTTP suggestion server/);
      expect(run(['--subscribe', 'sensors/+/reading']).stderr).toMatch(/--subscribe needs --mqtt URL/);
      expect(run([modelPath, '--mqtt', broker.url, '--subscribe', 'sensors/#']).stderr).toMatch(/subscribe .* has no \+ level|uses #/);
      const help = spawnSync('node', [CLI, 'help', 'serve'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      expect(help.stdout).toContain('--mqtt URL');
    }, 60_000);
  },
);
