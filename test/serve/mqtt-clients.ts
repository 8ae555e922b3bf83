// The other ends of the MQTT bridge in its tests: a device publisher and a
// collector of results and error reports, both MQTT.js clients that come
// back by themselves when the broker does.
import type { MqttClient } from 'mqtt';
import type { MqttConnect } from '../../src/serve/mqtt-client-loader.ts';

/** One result as the bridge publishes it. */
export interface Result {
  readonly seq: number;
  readonly forecast: number[];
  readonly anomaly: number | null;
}

/** One error report as the bridge publishes it. */
export interface Report {
  readonly topic: string;
  readonly code: string;
  readonly reason: string;
  readonly payload: string;
  readonly bytes: number;
}

export interface Collector {
  /** Results by device (the result topic's second level), in arrival order. */
  readonly results: Map<string, Result[]>;
  readonly reports: Report[];
  /** Results received, all devices together. */
  readonly count: () => number;
  /** Whether it is connected and subscribed now. */
  readonly ready: () => boolean;
  readonly close: () => Promise<void>;
}

/** A client that reconnects every 50 ms and that tests can close at once. */
export function openClient(connect: MqttConnect, url: string, clientId: string): MqttClient {
  const client = connect(url, { clientId, reconnectPeriod: 50, connectTimeout: 5_000, resubscribe: false, protocolVersion: 4 });
  client.on('error', () => {}); // refused connections while the broker is down; the client retries
  return client;
}

/** Ends a client without waiting for the broker (it may be gone). */
export function closeClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(true, {}, () => resolve()));
}

/**
 * Subscribes (QoS 1) to `sensors/+/forecast` and the error topic, again on
 * every connection (the broker forgets subscriptions when it restarts), and
 * keeps what arrives.
 */
export function openCollector(connect: MqttConnect, url: string, errorTopic = 'lstm-stream/errors'): Collector {
  const client = openClient(connect, url, `collector-${process.pid}-${Math.random().toString(16).slice(2, 8)}`);
  const results = new Map<string, Result[]>();
  const reports: Report[] = [];
  let count = 0;
  let subscribed = false;
  client.on('connect', () => {
    client.subscribe(['sensors/+/forecast', errorTopic], { qos: 1 }, (error) => {
      if (!error) subscribed = true;
    });
  });
  client.on('close', () => {
    subscribed = false;
  });
  client.on('message', (topic, payload) => {
    if (topic === errorTopic) {
      reports.push(JSON.parse(payload.toString()) as Report);
      return;
    }
    const device = topic.split('/')[1];
    let list = results.get(device);
    if (list === undefined) results.set(device, (list = []));
    list.push(JSON.parse(payload.toString()) as Result);
    count++;
  });
  return { results, reports, count: () => count, ready: () => subscribed, close: () => closeClient(client) };
}

/** Resolves once `condition()` holds, checking every intervalMs; rejects after timeoutMs naming `what`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: () => string, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
