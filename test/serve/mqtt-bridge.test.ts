// The MQTT bridge against a real Mosquitto broker on loopback (issue 17,
// Must show 4): 50 devices × 1,000 readings at QoS 1, every one scored, in
// order per device, each device's results those of a fresh session fed its
// readings; the broker killed and restarted mid-run, the bridge back with
// every device's state, every reading published after it is back scored;
// malformed payloads reported on the error topic. Skipped, saying so, where
// /usr/sbin/mosquitto is missing (apt-get install -y mosquitto).
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRandomModel, ErrorCode, type Model } from '../../src/index.ts';
import { createMqttBridge, type MqttBridge } from '../../src/serve/mqtt-bridge.ts';
import { loadMqttConnect, type MqttConnect } from '../../src/serve/mqtt-client-loader.ts';
import type { MqttBridgeOptions } from '../../src/serve/mqtt-options.ts';
import { onNode } from '../helpers/runtime.ts';
import { startBroker, mosquittoMissing, type Broker } from './mqtt-broker.ts';
import { closeClient, openClient, openCollector, waitFor, type Collector, type Result } from './mqtt-clients.ts';

// The sensor example's forecaster, untrained: its architecture (dense input of 1, LSTM 16, linear head of 1) is what matters here.
const forecaster: Model = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 1, hiddenSize: 16, numLayers: 1, head: 'linear', outputSize: 1 }, { seed: 7 });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A sensor-like signal, different per device, and distinct within a device (so a reading can be told from its value). */
function signal(device: number, i: number): number {
  return Math.fround(Math.sin((2 * Math.PI * (i + 5 * device)) / 48) + 0.4 * Math.sin((2 * Math.PI * i) / 11) + i * 1e-3);
}

/** What a fresh session says for these readings: the forecast after each and each reading's anomaly. */
function reference(readings: readonly number[]): Result[] {
  const session = forecaster.session();
  const results: Result[] = [];
  let previous: number | null = null;
  readings.forEach((value, k) => {
    const anomaly = previous === null ? null : Math.abs(value - previous);
    const forecast = session.step(Float32Array.of(value))[0];
    results.push({ seq: k + 1, forecast: [forecast], anomaly });
    previous = forecast;
  });
  return results;
}

if (mosquittoMissing !== null) console.warn(mosquittoMissing);

describe.skipIf(!onNode || mosquittoMissing !== null)(`MQTT bridge with Mosquitto${mosquittoMissing === null ? '' : ' (skipped: mosquitto is missing)'}`, () => {
  let broker: Broker;
  let connect: MqttConnect;
  const bridges: MqttBridge[] = [];
  const clients: MqttClient[] = [];
  const collectors: Collector[] = [];

  beforeAll(async () => {
    connect = await loadMqttConnect();
    broker = await startBroker();
  });

  // Each test's bridge and clients go with it: another bridge on the same filter would score the next test's readings too.
  afterEach(async () => {
    await Promise.all([...bridges.splice(0).map((b) => b.close()), ...clients.splice(0).map(closeClient), ...collectors.splice(0).map((c) => c.close())]);
  });

  afterAll(async () => {
    await broker?.stop();
  });

  async function startBridge(options: Partial<MqttBridgeOptions> = {}): Promise<MqttBridge> {
    const logged: string[] = [];
    const bridge = createMqttBridge(forecaster, { url: broker.url, reconnectMinMs: 100, reconnectMaxMs: 1_000, log: (line) => logged.push(line), ...options });
    bridges.push(bridge);
    await bridge.start();
    return bridge;
  }

  async function startCollector(): Promise<Collector> {
    const collector = openCollector(connect, broker.url);
    collectors.push(collector);
    await waitFor(collector.ready, 10_000, () => 'the collector to subscribe');
    return collector;
  }

  function startPublisher(): MqttClient {
    // A client id of its own: a broker disconnects the older of two clients with one id.
    const client = openClient(connect, broker.url, `devices-${process.pid}-${clients.length}-${Date.now()}`);
    clients.push(client);
    return client;
  }

  it('50 devices × 1,000 readings at QoS 1: every reading scored, in order per device, equal to a fresh session fed that device', async () => {
    const DEVICES = 50;
    const READINGS = 1_000;
    // Readings in flight at once (published, result not yet back): a steady pace the machine can follow, whatever its speed.
    const WINDOW = 500;
    const bridge = await startBridge();
    const collector = await startCollector();
    const publisher = startPublisher();
    await waitFor(() => publisher.connected, 10_000, () => 'the publisher to connect');

    const started = performance.now();
    let published = 0;
    for (let i = 0; i < READINGS; i++) {
      for (let d = 0; d < DEVICES; d++) {
        if (published - collector.count() >= WINDOW) {
          await waitFor(() => published - collector.count() < WINDOW, 20_000, () => `results to come back (${collector.count()} of ${published} published; bridge ${JSON.stringify(bridge.stats())})`, 1);
        }
        const value = signal(d, i);
        // Half the devices send bare numbers, half one-element arrays: both forms of a reading.
        publisher.publish(`sensors/dev${d}/reading`, d % 2 === 0 ? String(value) : `[${value}]`, { qos: 1 });
        published++;
      }
    }
    await waitFor(() => collector.count() === DEVICES * READINGS, 60_000, () => `all results (${collector.count()} of ${DEVICES * READINGS}; bridge ${JSON.stringify(bridge.stats())})`);
    const seconds = (performance.now() - started) / 1000;

    for (let d = 0; d < DEVICES; d++) {
      const got = collector.results.get(`dev${d}`) ?? [];
      const want = reference(Array.from({ length: READINGS }, (_, i) => signal(d, i)));
      expect(got.length, `dev${d}`).toBe(READINGS);
      got.forEach((result, k) => {
        if (result.seq !== k + 1 || result.forecast[0] !== want[k].forecast[0] || result.anomaly !== want[k].anomaly) {
          expect({ device: d, k, ...result }).toEqual({ device: d, k, ...want[k] });
        }
      });
    }
    await waitFor(() => bridge.stats().published === DEVICES * READINGS, 10_000, () => `the broker's acknowledgements (${bridge.stats().published})`);
    const stats = bridge.stats();
    expect(stats).toMatchObject({ connected: true, messages: DEVICES * READINGS, scored: DEVICES * READINGS, errors: 0, devices: DEVICES, devicesCreated: DEVICES, publishFailures: 0 });
    expect(bridge.renderMetrics()).toMatch(/^lstm_stream_mqtt_readings_scored_total 50000$/m);
    console.log(`mqtt: ${DEVICES} devices × ${READINGS} readings at QoS 1 in ${seconds.toFixed(1)} s: ${Math.round((DEVICES * READINGS) / seconds)} readings/s scored and their results received (window ${WINDOW})`);
  }, 120_000);

  it('malformed payloads are counted and reported on the error topic, and the devices go on', async () => {
    const bridge = await startBridge({ subscribe: 'plant/+/reading', resultTopic: 'sensors/{device}/forecast' });
    const collector = await startCollector();
    const publisher = startPublisher();
    await waitFor(() => publisher.connected, 10_000, () => 'the publisher to connect');
    const bad: [topic: string, payload: string | Buffer, code: string][] = [
      ['plant/m1/reading', 'abc', ErrorCode.READING_MALFORMED],
      ['plant/m1/reading', '', ErrorCode.READING_MALFORMED],
      ['plant/m1/reading', '{"value":1}', ErrorCode.READING_MALFORMED],
      ['plant/m1/reading', '"1.5"', ErrorCode.READING_MALFORMED],
      ['plant/m1/reading', '[null]', ErrorCode.READING_MALFORMED],
      ['plant/m1/reading', Buffer.from([0xff, 0xfe, 0x31]), ErrorCode.READING_MALFORMED],
      ['plant/m1/reading', '[1, 2]', ErrorCode.READING_WRONG_SIZE],
      ['plant/m1/reading', '1e999', ErrorCode.READING_NOT_FINITE],
      ['plant/m1/reading', '[3.5e38]', ErrorCode.READING_NOT_FINITE],
      ['plant/m1/reading', `[${'1'.repeat(5_000)}]`, ErrorCode.READING_TOO_LARGE],
      ['plant//reading', '1', ErrorCode.DEVICE_ID_INVALID],
      [`plant/${'d'.repeat(300)}/reading`, '1', ErrorCode.DEVICE_ID_INVALID],
    ];
    for (const [topic, payload] of bad) publisher.publish(topic, payload, { qos: 1 });
    // The same device, well-formed, afterwards: its first reading (nothing malformed was stepped).
    publisher.publish('plant/m1/reading', '0.25', { qos: 1 });
    publisher.publish('plant/m2/reading', '[0.5]', { qos: 1 });
    await waitFor(() => collector.reports.length === bad.length && collector.count() === 2, 10_000, () => `${bad.length} reports and 2 results (${collector.reports.length}, ${collector.count()})`);

    expect(collector.reports.map((r) => r.code)).toEqual(bad.map(([, , code]) => code));
    collector.reports.forEach((report, i) => {
      const [topic, payload] = bad[i];
      expect(report.topic).toBe(topic.length > 256 ? `${topic.slice(0, 256)}…` : topic);
      expect(report.bytes).toBe(Buffer.byteLength(payload));
      expect(report.reason.length).toBeGreaterThan(10);
      expect(report.payload.length).toBeLessThanOrEqual(129); // 128 bytes and an ellipsis
    });
    expect(collector.reports[0]).toEqual({ topic: 'plant/m1/reading', code: 'READING_MALFORMED', reason: expect.stringMatching(/not UTF-8 JSON/), payload: 'abc', bytes: 3 });
    expect(collector.reports[9].payload).toBe(`[${'1'.repeat(127)}…`);
    expect(collector.reports[6].reason).toMatch(/has 2 values; this model reads 1/);
    expect(collector.results.get('m1')).toEqual(reference([Math.fround(0.25)]));
    expect(collector.results.get('m2')).toEqual(reference([0.5]));
    const stats = bridge.stats();
    expect(stats).toMatchObject({ connected: true, messages: bad.length + 2, scored: 2, errors: bad.length, devices: 2 });
    expect(stats.errorsByCode).toEqual({ READING_MALFORMED: 6, READING_WRONG_SIZE: 1, READING_NOT_FINITE: 2, READING_TOO_LARGE: 1, DEVICE_ID_INVALID: 2 });
    expect(bridge.renderMetrics()).toMatch(/^lstm_stream_mqtt_errors_total\{code="READING_MALFORMED"\} 6$/m);
  }, 60_000);

  it('the broker killed and restarted mid-run: the bridge reconnects, every device keeps its state, every reading published after it is back is scored', async () => {
    const DEVICES = 20;
    const KILL_AT_ROUND = 150;
    const ROUNDS_AFTER_BACK = 150;
    const ROUND_MS = 10;
    /** What the bridge scored, per device, in order: the reading's index, the seq and the forecast (from onScore, in process). */
    const scored = new Map<string, { index: number; seq: number; forecast: number }[]>();
    const indexOf = Array.from({ length: DEVICES }, () => new Map<number, number>());
    const bridge = await startBridge({
      subscribe: 'sensors/+/reading',
      onScore: ({ device, seq, reading, forecast }) => {
        const d = Number(device.slice(1));
        let list = scored.get(device);
        if (list === undefined) scored.set(device, (list = []));
        list.push({ index: indexOf[d].get(reading[0]) ?? -1, seq, forecast: forecast[0] });
      },
    });
    const collector = await startCollector();
    const publisher = startPublisher();
    await waitFor(() => publisher.connected, 10_000, () => 'the publisher to connect');

    let round = 0;
    let firstRoundAfterBack = Infinity;
    let killedAt = 0;
    let brokerUpAt = 0;
    let bridgeBackAt = 0;
    const outage = async (): Promise<void> => {
      await broker.kill();
      killedAt = performance.now();
      await sleep(500);
      await broker.restart();
      brokerUpAt = performance.now();
      await waitFor(() => bridge.connected, 15_000, () => 'the bridge to reconnect');
      bridgeBackAt = performance.now();
      // "Back": the bridge, and the test's own publisher and collector, connected and subscribed again.
      await waitFor(() => bridge.connected && collector.ready() && publisher.connected, 15_000, () => 'the bridge and the test clients to reconnect');
      firstRoundAfterBack = round + 1;
    };
    let outageDone: Promise<void> | null = null;
    // A steady pace through the outage: readings published while the broker is down wait in the publisher's queue (QoS 1).
    for (; round < firstRoundAfterBack + ROUNDS_AFTER_BACK; round++) {
      if (round === KILL_AT_ROUND) outageDone = outage();
      for (let d = 0; d < DEVICES; d++) {
        const value = signal(d, round);
        if (indexOf[d].has(value)) throw new Error(`signal(${d}, ${round}) repeats an earlier reading`);
        indexOf[d].set(value, round);
        publisher.publish(`sensors/k${d}/reading`, String(value), { qos: 1 });
      }
      await sleep(ROUND_MS);
      if (round > KILL_AT_ROUND + 3_000) throw new Error('the bridge did not come back within 3,000 rounds');
    }
    await outageDone;
    const lastRound = round - 1;
    const lastSeq = (device: string): number => scored.get(device)?.at(-1)?.seq ?? 0;
    const allIn = (): boolean =>
      Array.from({ length: DEVICES }, (_, d) => `k${d}`).every((device) => scored.get(device)?.at(-1)?.index === lastRound && collector.results.get(device)?.at(-1)?.seq === lastSeq(device));
    await waitFor(allIn, 20_000, () => `the last round scored and its results received (${JSON.stringify(bridge.stats())})`);

    let lostBeforeBack = 0;
    let repeatedBeforeBack = 0;
    for (let d = 0; d < DEVICES; d++) {
      const device = `k${d}`;
      const list = scored.get(device)!;
      // One session throughout: seq counts on across the outage instead of starting again.
      expect(list.map((s) => s.seq)).toEqual(list.map((_, k) => k + 1));
      expect(list.every((s) => s.index >= 0)).toBe(true);
      // Its state survived: a fresh session fed exactly what the bridge scored, in that order, forecasts the same.
      const want = reference(list.map((s) => signal(d, s.index)));
      expect(list.map((s) => s.forecast)).toEqual(want.map((r) => r.forecast[0]));
      // Every reading published after the bridge was back is scored once, in order.
      const after = list.map((s) => s.index).filter((index) => index >= firstRoundAfterBack);
      expect(after).toEqual(Array.from({ length: lastRound - firstRoundAfterBack + 1 }, (_, k) => firstRoundAfterBack + k));
      // …and its result reached the collector, the one the bridge computed.
      const received = new Map(collector.results.get(device)!.map((r) => [r.seq, r.forecast[0]]));
      for (const s of list) if (s.index >= firstRoundAfterBack) expect(received.get(s.seq), `${device} seq ${s.seq}`).toBe(s.forecast);
      const before = list.filter((s) => s.index < firstRoundAfterBack).map((s) => s.index);
      lostBeforeBack += firstRoundAfterBack - new Set(before).size;
      repeatedBeforeBack += before.length - new Set(before).size;
    }
    const stats = bridge.stats();
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(stats.disconnects).toBe(stats.reconnects);
    expect(stats).toMatchObject({ connected: true, errors: 0, devices: DEVICES, devicesCreated: DEVICES, devicesEvicted: 0 });
    console.log(
      `mqtt: broker killed at round ${KILL_AT_ROUND}, up again ${Math.round(brokerUpAt - killedAt)} ms later; the bridge was back ${Math.round(bridgeBackAt - brokerUpAt)} ms after that ` +
        `(outage seen by the bridge ${stats.lastOutageMs} ms); rounds ${firstRoundAfterBack}–${lastRound} (${(lastRound - firstRoundAfterBack + 1) * DEVICES} readings) published after it was back, all scored; ` +
        `before that ${lostBeforeBack} readings lost with the broker and ${repeatedBeforeBack} delivered twice (QoS 1 is at least once)`,
    );
  }, 120_000);
});
