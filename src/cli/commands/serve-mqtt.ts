import { ErrorCode } from '../../errors.ts';
import { createMetricsServer, type MetricsServer } from '../../serve/metrics-server.ts';
import { createMqttBridge, type MqttBridge } from '../../serve/mqtt-bridge.ts';
import { DEFAULT_MQTT_OPTIONS } from '../../serve/mqtt-options.ts';
import { ServeError } from '../../serve/serve-error.ts';
import { loadModelArgument } from '../model-argument.ts';
import { integerFlag, isLoopback, secondsFlag } from './serve-flags.ts';
import { untilStopSignal } from './stop-signal.ts';

const m = DEFAULT_MQTT_OPTIONS;

/** The flags of `serve --mqtt`, for parseArgs. */
export const MQTT_FLAGS = {
  mqtt: { type: 'string' },
  subscribe: { type: 'string' },
  'result-topic': { type: 'string' },
  'error-topic': { type: 'string' },
  'client-id': { type: 'string' },
  'max-devices': { type: 'string' },
  'device-idle': { type: 'string' },
  'status-every': { type: 'string' },
} as const;

/** The flags only the HTTP suggestion server takes (refused with --mqtt rather than silently ignored). */
export const SUGGEST_ONLY_FLAGS = ['cors', 'max-sessions', 'evict-idle', 'idle-timeout', 'max-body', 'max-text', 'max-in-flight', 'body-timeout'] as const;

/** The `serve --mqtt` part of `lstm-stream serve --help`. */
export const MQTT_USAGE = `
       lstm-stream serve MODEL --mqtt URL [--subscribe FILTER] [options]

With --mqtt it forecasts sensor readings over MQTT instead (docs/SERVE.md,
MQTT): MODEL is a dense-input model such as examples/sensor-anomaly's
forecaster; each device publishing to the filter's + level gets a session of
its own; a reading (a JSON number or array) is answered on the device's
result topic with {"seq","forecast","anomaly"}; QoS 1 both ways; malformed
messages are reported on the error topic; the connection is retried with
backoff and the devices' state kept. --port adds GET /metrics and /healthz.

  --mqtt URL             the broker, mqtt://host:port (or mqtts://, ws://, wss://)
  --subscribe FILTER     readings; one + level names the device (default ${m.subscribe})
  --result-topic T       results; {device} is replaced (default: the filter with
                         {device} for + and forecast last: sensors/{device}/forecast)
  --error-topic T        reports of refused messages, or none (default ${m.errorTopic})
  --client-id ID         a fixed client id and a persistent session: a broker
                         that keeps sessions queues readings while the bridge is away
  --max-devices N        device sessions held; a new device beyond evicts the
                         least recently used (default ${m.maxDevices})
  --device-idle SECONDS  drop a device silent this long (default ${m.deviceIdleMs / 1000})
  --port N, --host ADDR  serve GET /metrics and /healthz there (--token-file guards /metrics)
  --status-every SECONDS print a status line this often without --port (default 60; 0: never)`;

/** The flag values `serve --mqtt` reads. */
export type MqttFlagValues = Partial<Record<keyof typeof MQTT_FLAGS | 'port' | 'host' | 'token-file' | (typeof SUGGEST_ONLY_FLAGS)[number], string>>;

/**
 * Runs the MQTT bridge for the model at `modelPath` until SIGTERM or SIGINT,
 * with a metrics endpoint when --port is given, else a status line now and
 * then; returns the exit status (0 after a signal). Throws ServeError for a
 * bad flag or option, NOT_A_DENSE_MODEL for a token model, and what the
 * bridge's start() rejects with (MQTT_CLIENT_MISSING, MQTT_SUBSCRIBE_REFUSED).
 */
export async function runMqttService(values: MqttFlagValues, modelPath: string | undefined, token: string | null): Promise<number> {
  for (const flag of SUGGEST_ONLY_FLAGS) {
    if (values[flag] !== undefined) throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `--${flag} is an option of the HTTP suggestion server, not of --mqtt`);
  }
  if (modelPath === undefined) {
    throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, '--mqtt needs a model file with dense input (such as the sensor example\'s forecaster); the shipped model reads words');
  }
  const port = integerFlag(values.port, '--port');
  const statusEveryMs = secondsFlag(values['status-every'], '--status-every') ?? 60_000;
  const errorTopic = values['error-topic'];
  const model = await loadModelArgument(modelPath);
  const bridge = createMqttBridge(model, {
    url: values.mqtt!,
    subscribe: values.subscribe,
    resultTopic: values['result-topic'],
    errorTopic: errorTopic === 'none' ? null : errorTopic,
    clientId: values['client-id'],
    persistentSession: values['client-id'] !== undefined,
    maxDevices: integerFlag(values['max-devices'], '--max-devices'),
    deviceIdleMs: secondsFlag(values['device-idle'], '--device-idle'),
  });
  const startedAt = Date.now();
  let metrics: MetricsServer | null = null;
  let status: ReturnType<typeof setInterval> | null = null;
  const stopped = untilStopSignal();
  try {
    if (port !== undefined) {
      metrics = createMetricsServer({
        host: values.host ?? '127.0.0.1',
        port,
        token,
        render: () => bridge.renderMetrics(),
        health: () => ({ ok: bridge.connected, connected: bridge.connected, devices: bridge.deviceCount, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }),
      });
      const address = await metrics.listen();
      process.stdout.write(`lstm-stream serve: metrics on ${address.url}/metrics\n`);
      if (!isLoopback(address.host)) {
        process.stderr.write(`lstm-stream serve: warning: /metrics is bound to ${address.host}, so other machines can read it${token === null ? ' (no --token-file)' : ''}\n`);
      }
    }
    const o = bridge.options;
    process.stderr.write(`lstm-stream serve: mqtt: connecting to ${o.url}\n`);
    const starting = bridge.start();
    starting.catch(() => {}); // a stop signal may come first; then close() rejects it on purpose
    const first = await Promise.race([starting.then(() => null), stopped]);
    if (first === null) {
      process.stdout.write(
        `lstm-stream serve: mqtt: subscribed to ${o.subscribe} at ${o.url} (model ${modelPath}; results on ${o.resultTopic}, ` +
          `errors on ${o.errorTopic ?? 'no topic'}; up to ${o.maxDevices} devices)\n`,
      );
      if (metrics === null && statusEveryMs > 0) {
        status = setInterval(() => process.stderr.write(statusLine(bridge)), statusEveryMs);
        status.unref();
      }
    }
    const signal = await stopped;
    process.stderr.write(`lstm-stream serve: ${signal}: stopping the MQTT bridge\n`);
    // What it did, while the devices are still counted (close() drops them).
    process.stderr.write(statusLine(bridge));
  } finally {
    if (status !== null) clearInterval(status);
    await bridge.close();
    await metrics?.close();
  }
  process.stderr.write('lstm-stream serve: stopped\n');
  return 0;
}

/** One line of what the bridge has done, for standard error. */
function statusLine(bridge: MqttBridge): string {
  const s = bridge.stats();
  return (
    `lstm-stream serve: mqtt: ${s.connected ? 'connected' : 'not connected'}; ${s.devices} devices; ${s.scored} readings scored, ` +
    `${s.errors} refused; ${s.reconnects} reconnects; ${s.devicesEvicted} devices evicted, ${s.devicesExpired} expired\n`
  );
}
