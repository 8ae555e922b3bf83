import type { IConnackPacket, ISubscriptionGrant, MqttClient } from 'mqtt';
import { ErrorCode } from '../errors.ts';
import { topHiddenSize } from '../model/architecture.ts';
import type { Model } from '../model/model.ts';
import { DeviceForecaster } from './device-forecaster.ts';
import { DeviceTable } from './device-table.ts';
import { loadMqttConnect } from './mqtt-client-loader.ts';
import { MqttMetrics, type MqttBridgeStats, type MqttGauges } from './mqtt-metrics.ts';
import { resolveMqttOptions, type MqttBridgeOptions, type ResolvedMqttOptions } from './mqtt-options.ts';
import { deviceOf, deviceTopic } from './mqtt-topics.ts';
import { ReadingError, readReadingInto } from './reading-payload.ts';
import { ServeError } from './serve-error.ts';

/** Longest device id (the `+` level's text) given a session; longer ones are refused, so ids cannot grow the table's memory. */
export const MAX_DEVICE_ID_LENGTH = 256;
/** How much of a refused payload an error report carries (bytes, read as UTF-8). */
export const REPORT_PAYLOAD_BYTES = 128;
/** How much of a refused message's topic an error report carries (characters). */
export const REPORT_TOPIC_LENGTH = 256;

/** A forecasting service over MQTT (docs/SERVE.md, MQTT): start it with start(), stop it with close(). */
export interface MqttBridge {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedMqttOptions;
  /** Whether it is connected to the broker and subscribed now. */
  readonly connected: boolean;
  /** Device sessions held now. */
  readonly deviceCount: number;
  /**
   * Loads MQTT.js, connects and subscribes (QoS 1); resolves once subscribed
   * the first time. While the broker cannot be reached it keeps trying with
   * backoff, so it stays pending (log says why). Rejects with ServeError:
   * MQTT_CLIENT_MISSING (the optional package is not installed),
   * MQTT_SUBSCRIBE_REFUSED (the broker refused the filter), MQTT_CLOSED
   * (close() came first). Calling it again returns the same promise.
   */
  start(): Promise<void>;
  /**
   * Stops reconnecting, waits up to closeGraceMs for results the broker has
   * not acknowledged, disconnects, and drops every device session.
   * Calling it again returns the same promise.
   */
  close(): Promise<void>;
  /** What it has counted, as numbers. Allocates the object. */
  stats(): MqttBridgeStats;
  /** Its metrics in the Prometheus text format (served on /metrics beside the HTTP server's). Allocates the text. */
  renderMetrics(): string;
}

/**
 * An MQTT bridge for `model`, a dense-input model such as the sensor
 * example's forecaster: it subscribes to a filter whose `+` level names the
 * device (`sensors/+/reading`), keeps one model session per device, scores
 * each reading (a JSON number, or an array of inputSize numbers) against
 * the forecast made before it, steps, and publishes
 * `{"seq","forecast","anomaly"}` on the device's result topic, all at QoS 1.
 * Malformed messages are counted and reported on the error topic; nothing a
 * device sends stops it. Connection losses are retried with exponential
 * backoff, and the device sessions live in the bridge, not the connection,
 * so every device's state survives them. Nothing happens until start().
 * Throws ServeError (SERVE_OPTION_INVALID for a bad option,
 * NOT_A_DENSE_MODEL for a token model). Memory: the model (shared), per
 * device one model session (Session.byteLength) and one forecast; at most
 * maxDevices of them.
 */
export function createMqttBridge(model: Model, options: MqttBridgeOptions): MqttBridge {
  const architecture = model.architecture;
  if (architecture.input !== 'dense') {
    throw new ServeError(
      ErrorCode.NOT_A_DENSE_MODEL,
      `the MQTT bridge steps readings, so it needs a model with dense input; this one reads token ids (input ${architecture.input}). Train one as examples/sensor-anomaly does`,
    );
  }
  const resolved = resolveMqttOptions(options);
  const { filter, log } = resolved;
  const inputSize = architecture.inputSize;
  // The head's output, or the top layer's h for a model without a head.
  const outputSize = architecture.head === 'none' ? topHiddenSize(architecture) : architecture.outputSize;
  const devices = new DeviceTable(resolved);
  const metrics = new MqttMetrics();
  const reading = new Float32Array(inputSize); // [inputSize] the message being read; each message overwrites it
  const reportText = new TextDecoder('utf-8'); // not fatal: a report shows what it can of any bytes
  let client: MqttClient | null = null;
  let starting: Promise<void> | null = null;
  let closing: Promise<void> | null = null;
  let subscribed = false;
  /** Whether the current connection got its CONNACK (a lost one counts as a disconnect). */
  let up = false;
  /** When the last established connection was lost (ms); null while connected or before the first. */
  let lostAt: number | null = null;
  let failedTries = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let sweeper: ReturnType<typeof setInterval> | null = null;
  let settleStart: { resolve: () => void; reject: (error: Error) => void } | null = null;

  // Made once: a closure per publish would be an allocation per message.
  const onResultAcknowledged = (error?: Error): void => {
    if (error) metrics.publishFailures++;
    else metrics.published++;
  };
  const onReportAcknowledged = (error?: Error): void => {
    if (error) metrics.publishFailures++;
  };

  const gauges = (): MqttGauges => ({
    connected: subscribed,
    devices: devices.size,
    devicesCreated: devices.created,
    devicesEvicted: devices.evicted,
    devicesExpired: devices.expired,
  });

  /** Counts a refused message and reports it on the error topic: the topic, the code and reason, and the payload's start. */
  const refuse = (topic: string, payload: Uint8Array, code: string, reason: string): void => {
    metrics.recordError(code);
    if (resolved.errorTopic === null || client === null) return;
    const shown = payload.length > REPORT_PAYLOAD_BYTES ? `${reportText.decode(payload.subarray(0, REPORT_PAYLOAD_BYTES))}…` : reportText.decode(payload);
    const report = {
      topic: topic.length > REPORT_TOPIC_LENGTH ? `${topic.slice(0, REPORT_TOPIC_LENGTH)}…` : topic,
      code,
      reason,
      payload: shown,
      bytes: payload.length,
    };
    client.publish(resolved.errorTopic, JSON.stringify(report), { qos: 1 }, onReportAcknowledged);
  };

  const onMessage = (topic: string, payload: Buffer): void => {
    metrics.messages++;
    try {
      const device = deviceOf(filter, topic);
      if (device === null) {
        refuse(topic, payload, ErrorCode.DEVICE_ID_INVALID, `the topic does not match the subscription ${filter.filter}, so it names no device`);
        return;
      }
      if (device === '' || device.length > MAX_DEVICE_ID_LENGTH) {
        refuse(topic, payload, ErrorCode.DEVICE_ID_INVALID, device === '' ? 'the device level of the topic is empty' : `the device id is longer than ${MAX_DEVICE_ID_LENGTH} characters`);
        return;
      }
      readReadingInto(reading, payload, resolved.maxPayloadBytes);
      const now = Date.now();
      const forecaster = devices.use(
        device,
        now,
        () => new DeviceForecaster(device, deviceTopic(resolved.resultTopic, device), resolved.createSession(model, { device }), inputSize, outputSize, now),
      );
      forecaster.score(reading);
      metrics.scored++;
      if (resolved.onScore !== null) {
        try {
          resolved.onScore({ device, seq: forecaster.seq, reading, forecast: forecaster.nextForecast, anomaly: forecaster.anomaly });
        } catch (error) {
          log(`lstm-stream serve: mqtt: onScore threw: ${describe(error)}`);
        }
      }
      client!.publish(forecaster.resultTopic, forecaster.resultJson(), { qos: 1 }, onResultAcknowledged);
    } catch (error) {
      if (error instanceof ReadingError) {
        refuse(topic, payload, error.code, error.message);
        return;
      }
      // A bug or a session factory that failed: reported like a bad message, never a crash.
      log(`lstm-stream serve: mqtt: ${topic}: ${describe(error)}`);
      refuse(topic, payload, ErrorCode.INTERNAL_ERROR, 'the bridge failed on this message; it has been logged');
    }
  };

  const subscribe = (mqtt: MqttClient): void => {
    mqtt.subscribe(filter.filter, { qos: 1 }, (error: Error | null, granted?: ISubscriptionGrant[]) => {
      if (error) {
        // The connection went while subscribing; the next connection subscribes again.
        log(`lstm-stream serve: mqtt: subscribing to ${filter.filter} failed: ${error.message}`);
        return;
      }
      const qos = granted?.[0]?.qos;
      if (qos === undefined || qos >= 128) {
        const refused = new ServeError(ErrorCode.MQTT_SUBSCRIBE_REFUSED, `the broker refused the subscription ${filter.filter} (granted ${qos ?? 'nothing'}); check its access rules`);
        log(`lstm-stream serve: mqtt: ${refused.message}`);
        settleStart?.reject(refused);
        return;
      }
      subscribed = true;
      settleStart?.resolve();
    });
  };

  const scheduleReconnect = (mqtt: MqttClient): void => {
    if (closing !== null || reconnectTimer !== null) return;
    // Exponential backoff with equal jitter: many bridges that lost one broker do not all come back in the same millisecond.
    const ceiling = Math.min(resolved.reconnectMaxMs, resolved.reconnectMinMs * 2 ** Math.min(failedTries, 30));
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    failedTries++;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (closing === null) mqtt.connect();
    }, delay);
  };

  const connectClient = async (): Promise<void> => {
    const connect = await loadMqttConnect();
    if (closing !== null) throw new ServeError(ErrorCode.MQTT_CLOSED, 'the bridge was closed before it connected');
    const mqtt = connect(resolved.url, {
      clientId: resolved.clientId,
      clean: !resolved.persistentSession,
      // MQTT.js retries at a fixed period; the bridge retries itself, with backoff.
      reconnectPeriod: 0,
      // Subscribing is the bridge's own step on each connection (only when the broker forgot the session).
      resubscribe: false,
      connectTimeout: resolved.connectTimeoutMs,
      keepalive: resolved.keepaliveSeconds,
      protocolVersion: 4,
    });
    client = mqtt;
    mqtt.on('connect', (connack: IConnackPacket) => {
      up = true;
      failedTries = 0;
      if (lostAt !== null) {
        metrics.reconnects++;
        metrics.lastOutageMs = Date.now() - lostAt;
        log(`lstm-stream serve: mqtt: reconnected to ${resolved.url} after ${metrics.lastOutageMs} ms`);
        lostAt = null;
      }
      if (connack.sessionPresent) {
        subscribed = true;
        settleStart?.resolve();
      } else subscribe(mqtt);
    });
    mqtt.on('close', () => {
      subscribed = false;
      // A close() of our own is not a lost connection.
      if (up && closing === null) {
        metrics.disconnects++;
        lostAt = Date.now();
        log(`lstm-stream serve: mqtt: lost the connection to ${resolved.url}; reconnecting (device sessions are kept)`);
      }
      up = false;
      scheduleReconnect(mqtt);
    });
    mqtt.on('error', (error: Error) => {
      // Refused or failed connections land here before 'close'; the close reschedules.
      if (closing === null) log(`lstm-stream serve: mqtt: ${error.message}`);
    });
    mqtt.on('message', onMessage);
    sweeper = setInterval(() => devices.dropExpired(Date.now()), Math.min(Math.max(resolved.deviceIdleMs / 2, 250), 60_000));
    sweeper.unref();
  };

  return {
    options: resolved,
    get connected() {
      return subscribed;
    },
    get deviceCount() {
      return devices.size;
    },
    start() {
      if (starting !== null) return starting;
      starting = new Promise<void>((resolve, reject) => {
        settleStart = {
          resolve: () => {
            settleStart = null;
            resolve();
          },
          reject: (error) => {
            settleStart = null;
            reject(error);
          },
        };
        connectClient().catch((error: Error) => settleStart?.reject(error));
      });
      return starting;
    },
    close() {
      if (closing !== null) return closing;
      closing = (async () => {
        if (reconnectTimer !== null) clearTimeout(reconnectTimer);
        if (sweeper !== null) clearInterval(sweeper);
        settleStart?.reject(new ServeError(ErrorCode.MQTT_CLOSED, 'the bridge was closed before it subscribed'));
        const mqtt = client;
        if (mqtt !== null) {
          await new Promise<void>((resolve) => {
            // end(false) waits for unacknowledged publishes; past the grace, or when there is no connection to wait on, the socket goes at once.
            const grace = setTimeout(() => {
              mqtt.stream?.destroy();
              resolve();
            }, resolved.closeGraceMs);
            grace.unref();
            mqtt.end(!mqtt.connected, {}, () => {
              clearTimeout(grace);
              resolve();
            });
          });
        }
        devices.clear();
      })();
      return closing;
    },
    stats() {
      return metrics.stats(gauges());
    },
    renderMetrics() {
      return metrics.render(gauges());
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
