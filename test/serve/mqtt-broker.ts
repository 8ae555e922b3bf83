// A real Mosquitto broker for the MQTT tests: Debian's `mosquitto` package
// (.ci/run installs it), started on a free loopback port with a config file
// in a temp folder, killed and restarted on the same port on demand.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian puts the broker. */
export const MOSQUITTO = '/usr/sbin/mosquitto';

/** Whether the broker is installed; the MQTT tests skip, saying so, when it is not. */
export const mosquittoInstalled = existsSync(MOSQUITTO);

/** Why the MQTT tests are skipped here, or null when they run. */
export const mosquittoMissing = mosquittoInstalled ? null : `${MOSQUITTO} is missing, so the MQTT bridge tests are skipped: apt-get install -y mosquitto (.ci/run does)`;

export interface Broker {
  readonly port: number;
  readonly url: string;
  /** Kills the broker at once (SIGKILL: no goodbye to its clients) and resolves when it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves when the port accepts connections. */
  restart(): Promise<void>;
  /** Stops it for good and removes its folder. */
  stop(): Promise<void>;
  /** What it wrote to standard error (its log), for failure messages. */
  log(): string;
}

/** A free TCP port on 127.0.0.1 (the system picks; the broker binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts a TCP connection; rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`nothing accepted connections on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Starts Mosquitto on a free loopback port: anonymous clients allowed,
 * persistence off (a restart forgets every session and subscription, the
 * hard case for a client), and room for a burst of QoS 1 messages queued to
 * one client (Mosquitto's default of 1,000 drops the rest silently).
 */
export async function startBroker(): Promise<Broker> {
  const folder = mkdtempSync(join(tmpdir(), 'lstm-stream-mosquitto-'));
  const port = await freePort();
  const config = join(folder, 'mosquitto.conf');
  writeFileSync(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 100000', 'log_dest stderr', 'log_type error', 'log_type warning', ''].join('\n'));
  let child: ChildProcess | null = null;
  let log = '';
  const launch = async (): Promise<void> => {
    const started = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child = started;
    const exited = new Promise<never>((_, reject) => started.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}: ${log}`))));
    await Promise.race([waitForPort(port, 10_000), exited]);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(folder, { recursive: true, force: true });
    },
    log: () => log,
  };
}
