import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../errors.ts';
import type { Model } from '../model/model.ts';
import type { DeviceSessionFactory } from './device-forecaster.ts';
import { checkErrorTopic, checkResultTopic, defaultResultTopic, parseDeviceFilter, type DeviceTopicFilter } from './mqtt-topics.ts';
import { ServeError } from './serve-error.ts';

/** What {@link MqttBridgeOptions.onScore} is handed for each reading scored; every array is borrowed (copy to keep). */
export interface ScoredReading {
  readonly device: string;
  /** The device's count of readings scored, this one included (1 for a device's first, or after its session was dropped). */
  readonly seq: number;
  /** The reading as the model read it (float32). */
  readonly reading: Float32Array;
  /** The model's forecast of the next reading. */
  readonly forecast: Float32Array;
  /** How far this reading was from the forecast made before it (root mean square); null when there was none. */
  readonly anomaly: number | null;
}

/** Options of {@link createMqttBridge}; every limit has a default meant for a small device. */
export interface MqttBridgeOptions {
  /** The broker: `mqtt://host:port` (or mqtts://, ws://, wss://); user and password may ride in it. Required. */
  readonly url: string;
  /** The subscription: a filter whose one `+` level names the device. Default `sensors/+/reading`. */
  readonly subscribe?: string;
  /** Where a device's results go; `{device}` is replaced. Default: the filter with {device} for `+` and `forecast` for its last level (`sensors/{device}/forecast`). */
  readonly resultTopic?: string;
  /** Where refused messages are reported; null: only counted. Default `lstm-stream/errors`. */
  readonly errorTopic?: string | null;
  /** The client id; null: `lstm-stream-` and 8 random hex digits. Default null. */
  readonly clientId?: string | null;
  /**
   * Ask the broker to keep the bridge's subscription, and the QoS 1
   * readings that arrive while it is away, across reconnections (MQTT
   * clean session off). Needs a fixed clientId. Default false.
   */
  readonly persistentSession?: boolean;
  /** Device sessions held at once; a new device beyond evicts the least recently used one. Default 1,000. */
  readonly maxDevices?: number;
  /** A device silent this long loses its session (its next reading starts afresh). Default 1 hour. */
  readonly deviceIdleMs?: number;
  /** Largest payload read, in bytes (READING_TOO_LARGE beyond). Default 4,096. */
  readonly maxPayloadBytes?: number;
  /** First wait before reconnecting after a loss; doubled on each failed try. Default 500 ms. */
  readonly reconnectMinMs?: number;
  /** Longest wait between reconnection tries. Default 30 s. */
  readonly reconnectMaxMs?: number;
  /** Time allowed for the broker to accept a connection (CONNACK). Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** MQTT keepalive: the broker drops the bridge after 1.5 times this without a packet. Default 30 s. */
  readonly keepaliveSeconds?: number;
  /** How long close() waits for results the broker has not acknowledged yet. Default 2 s. */
  readonly closeGraceMs?: number;
  /** Makes each device's model session. Default `model.session()`. */
  readonly createSession?: DeviceSessionFactory;
  /** Called in process for each reading scored, before its result is published (local alarms, a second sink). Default: none. */
  readonly onScore?: ((scored: ScoredReading) => void) | null;
  /** Where connection changes and unexpected errors are reported. Default: standard error. */
  readonly log?: (line: string) => void;
}

/** {@link MqttBridgeOptions} with every default filled in and the subscription parsed. */
export interface ResolvedMqttOptions extends Required<Omit<MqttBridgeOptions, 'clientId'>> {
  readonly clientId: string;
  readonly filter: DeviceTopicFilter;
}

/** The defaults, in one place (docs/SERVE.md lists them); the result topic and client id are derived. */
export const DEFAULT_MQTT_OPTIONS = Object.freeze({
  subscribe: 'sensors/+/reading',
  errorTopic: 'lstm-stream/errors' as string | null,
  persistentSession: false,
  maxDevices: 1_000,
  deviceIdleMs: 60 * 60_000,
  maxPayloadBytes: 4_096,
  reconnectMinMs: 500,
  reconnectMaxMs: 30_000,
  connectTimeoutMs: 10_000,
  keepaliveSeconds: 30,
  closeGraceMs: 2_000,
  createSession: ((model: Model) => model.session()) as DeviceSessionFactory,
  onScore: null as ((scored: ScoredReading) => void) | null,
  log: (line: string) => {
    process.stderr.write(`${line}\n`);
  },
});

const COUNTS = ['maxDevices', 'maxPayloadBytes', 'keepaliveSeconds'] as const;
const DURATIONS = ['deviceIdleMs', 'reconnectMinMs', 'reconnectMaxMs', 'connectTimeoutMs', 'closeGraceMs'] as const;

/**
 * Fills in defaults and checks every option, topics included (a result or
 * error topic that the subscription would match is refused: the bridge
 * would read its own output). Throws ServeError (SERVE_OPTION_INVALID)
 * naming the first bad one. Cold path.
 */
export function resolveMqttOptions(options: MqttBridgeOptions): ResolvedMqttOptions {
  const fail = (name: string, why: string): never => {
    throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `serve option ${name} ${why}`);
  };
  if (options === null || typeof options !== 'object') fail('options', 'must be an object with at least url');
  const merged: Record<string, unknown> = { ...DEFAULT_MQTT_OPTIONS, clientId: null };
  for (const [name, value] of Object.entries(options)) if (value !== undefined) merged[name] = value;
  const r = merged as unknown as MqttBridgeOptions & typeof DEFAULT_MQTT_OPTIONS;
  if (typeof r.url !== 'string' || !/^(mqtts?|wss?):\/\/[^/\s]+/.test(r.url)) fail('url', `is ${JSON.stringify(r.url)}; expected mqtt://host:port (or mqtts://, ws://, wss://)`);
  for (const name of COUNTS) {
    const value = r[name];
    if (!Number.isSafeInteger(value) || value < 1) fail(name, `is ${value}; expected an integer ≥ 1`);
  }
  for (const name of DURATIONS) {
    const value = r[name];
    if (!Number.isFinite(value) || value < 1) fail(name, `is ${value}; expected milliseconds ≥ 1`);
  }
  if (r.reconnectMaxMs < r.reconnectMinMs) fail('reconnectMaxMs', `(${r.reconnectMaxMs}) is below reconnectMinMs (${r.reconnectMinMs})`);
  const filter = parseDeviceFilter(r.subscribe);
  const resultTopic = r.resultTopic ?? defaultResultTopic(filter);
  checkResultTopic(resultTopic, filter);
  if (r.errorTopic !== null) checkErrorTopic(r.errorTopic, filter);
  if (r.clientId !== null && (typeof r.clientId !== 'string' || r.clientId === '' || r.clientId.length > 256)) fail('clientId', 'must be a non-empty string of at most 256 characters, or null');
  if (typeof r.persistentSession !== 'boolean') fail('persistentSession', 'must be true or false');
  if (r.persistentSession && r.clientId === null) fail('persistentSession', 'needs a fixed clientId (the broker keeps the session under it)');
  if (typeof r.createSession !== 'function') fail('createSession', 'must be a function');
  if (r.onScore !== null && typeof r.onScore !== 'function') fail('onScore', 'must be a function or null');
  if (typeof r.log !== 'function') fail('log', 'must be a function');
  return Object.freeze({
    ...(r as Required<Omit<MqttBridgeOptions, 'clientId'>>),
    resultTopic,
    clientId: r.clientId ?? `lstm-stream-${randomBytes(4).toString('hex')}`,
    filter,
  });
}
