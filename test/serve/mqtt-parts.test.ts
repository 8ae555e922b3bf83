// The MQTT bridge's parts without a broker: topics, payloads, options, the
// device table, the per-device forecaster, and the errors a user meets first
// (a token model, MQTT.js missing, close() before the broker answered).
import { describe, expect, it } from 'vitest';
import { createRandomModel, ErrorCode } from '../../src/index.ts';
import { DeviceForecaster } from '../../src/serve/device-forecaster.ts';
import { DeviceTable } from '../../src/serve/device-table.ts';
import { createMqttBridge } from '../../src/serve/mqtt-bridge.ts';
import { loadMqttConnect } from '../../src/serve/mqtt-client-loader.ts';
import { resolveMqttOptions } from '../../src/serve/mqtt-options.ts';
import { checkErrorTopic, checkResultTopic, defaultResultTopic, deviceOf, deviceTopic, parseDeviceFilter } from '../../src/serve/mqtt-topics.ts';
import { readReadingInto } from '../../src/serve/reading-payload.ts';
import { onNode } from '../helpers/runtime.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The code of what `run` throws (undefined when it does not throw). */
function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('MQTT topics', () => {
  it('a device filter has exactly one + level and nothing else wild', () => {
    expect(parseDeviceFilter('sensors/+/reading')).toEqual({ filter: 'sensors/+/reading', levels: ['sensors', '+', 'reading'], deviceLevel: 1 });
    for (const bad of ['sensors/#', 'sensors/+/+', 'sensors/reading', 'sensors/a+/reading', 'sensors//+', '']) {
      expect(codeOf(() => parseDeviceFilter(bad)), bad).toBe(ErrorCode.SERVE_OPTION_INVALID);
    }
  });

  it('the device is the + level of a matching topic; other topics name none', () => {
    const filter = parseDeviceFilter('sensors/+/reading');
    expect(deviceOf(filter, 'sensors/pump-7/reading')).toBe('pump-7');
    expect(deviceOf(filter, 'sensors//reading')).toBe('');
    expect(deviceOf(filter, 'sensors/pump-7/forecast')).toBeNull();
    expect(deviceOf(filter, 'sensors/pump-7/reading/extra')).toBeNull();
    expect(deviceOf(filter, 'other/pump-7/reading')).toBeNull();
  });

  it('result topics: derived from the filter, {device} filled in, never one the subscription matches', () => {
    expect(defaultResultTopic(parseDeviceFilter('sensors/+/reading'))).toBe('sensors/{device}/forecast');
    expect(defaultResultTopic(parseDeviceFilter('home/+'))).toBe('home/{device}/forecast');
    expect(deviceTopic('sensors/{device}/forecast', 'pump-7')).toBe('sensors/pump-7/forecast');
    const filter = parseDeviceFilter('sensors/+/reading');
    expect(() => checkResultTopic('sensors/{device}/forecast', filter)).not.toThrow();
    expect(() => checkResultTopic('out/{device}-forecast', filter)).not.toThrow();
    // Each could carry a result back into the subscription: refused at start, not found in production.
    for (const loop of ['sensors/{device}/reading', 'sensors/x{device}/reading', 'sensors/out/{device}', '+/{device}/x', 'sensors/forecast', 'a//{device}']) {
      expect(codeOf(() => checkResultTopic(loop, filter)), loop).toBe(ErrorCode.SERVE_OPTION_INVALID);
    }
    expect(() => checkErrorTopic('lstm-stream/errors', filter)).not.toThrow();
    expect(codeOf(() => checkErrorTopic('sensors/errors/reading', filter))).toBe(ErrorCode.SERVE_OPTION_INVALID);
    expect(codeOf(() => checkErrorTopic('errors/#', filter))).toBe(ErrorCode.SERVE_OPTION_INVALID);
  });
});

describe('MQTT bridge options', () => {
  it('defaults: the sensor filter, derived result topic, error topic, a random client id, QoS-1-friendly limits', () => {
    const resolved = resolveMqttOptions({ url: 'mqtt://127.0.0.1:1883' });
    expect(resolved).toMatchObject({
      subscribe: 'sensors/+/reading',
      resultTopic: 'sensors/{device}/forecast',
      errorTopic: 'lstm-stream/errors',
      persistentSession: false,
      maxDevices: 1_000,
      deviceIdleMs: 3_600_000,
      maxPayloadBytes: 4_096,
      reconnectMinMs: 500,
      reconnectMaxMs: 30_000,
    });
    expect(resolved.clientId).toMatch(/^lstm-stream-[0-9a-f]{8}$/);
    expect(resolveMqttOptions({ url: 'mqtt://h', subscribe: 'plant/+/temp' }).resultTopic).toBe('plant/{device}/forecast');
    expect(resolveMqttOptions({ url: 'mqtt://h', errorTopic: null }).errorTopic).toBeNull();
  });

  it('bad options are refused, naming the option', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /url/],
      [{ url: 'http://127.0.0.1:1883' }, /url/],
      [{ url: 'mqtt://h', maxDevices: 0 }, /maxDevices/],
      [{ url: 'mqtt://h', reconnectMinMs: 2_000, reconnectMaxMs: 1_000 }, /reconnectMaxMs/],
      [{ url: 'mqtt://h', persistentSession: true }, /persistentSession needs a fixed clientId/],
      [{ url: 'mqtt://h', subscribe: 'sensors/#' }, /subscribe/],
      [{ url: 'mqtt://h', resultTopic: 'sensors/{device}/reading' }, /resultTopic .* bridge would read its own results/],
    ];
    for (const [options, message] of cases) {
      let thrown: unknown;
      try {
        resolveMqttOptions(options as never);
      } catch (error) {
        thrown = error;
      }
      expect((thrown as { code?: string }).code, JSON.stringify(options)).toBe(ErrorCode.SERVE_OPTION_INVALID);
      expect((thrown as Error).message).toMatch(message);
    }
    expect(resolveMqttOptions({ url: 'mqtt://h', clientId: 'pump-house', persistentSession: true }).clientId).toBe('pump-house');
  });
});

describe('MQTT reading payloads', () => {
  it('a number for a 1-value model, an array of inputSize numbers for any, stored as float32', () => {
    expect(Array.from(readReadingInto(new Float32Array(1), bytes('0.1'), 4096))).toEqual([Math.fround(0.1)]);
    expect(Array.from(readReadingInto(new Float32Array(1), bytes(' [ -2.5 ] '), 4096))).toEqual([-2.5]);
    expect(Array.from(readReadingInto(new Float32Array(3), bytes('[1,2e3,-0.5]'), 4096))).toEqual([1, 2000, -0.5]);
  });

  it('everything else is a ReadingError with its code, and the buffer is left as it was', () => {
    const cases: [number, string | Uint8Array, string][] = [
      [1, '', ErrorCode.READING_MALFORMED],
      [1, 'abc', ErrorCode.READING_MALFORMED],
      [1, 'null', ErrorCode.READING_MALFORMED],
      [1, '{"value":1}', ErrorCode.READING_MALFORMED],
      [1, 'true', ErrorCode.READING_MALFORMED],
      [1, '"1"', ErrorCode.READING_MALFORMED],
      [2, '[1,"2"]', ErrorCode.READING_MALFORMED],
      [2, '[1,[2]]', ErrorCode.READING_MALFORMED],
      [1, new Uint8Array([0xc3, 0x28]), ErrorCode.READING_MALFORMED],
      [3, '1', ErrorCode.READING_WRONG_SIZE],
      [3, '[1,2]', ErrorCode.READING_WRONG_SIZE],
      [1, '[]', ErrorCode.READING_WRONG_SIZE],
      [1, '1e999', ErrorCode.READING_NOT_FINITE],
      [2, '[1,-4e38]', ErrorCode.READING_NOT_FINITE],
      [1, '1'.repeat(5_000), ErrorCode.READING_TOO_LARGE],
    ];
    for (const [size, payload, code] of cases) {
      const out = new Float32Array(size).fill(7);
      expect(codeOf(() => readReadingInto(out, typeof payload === 'string' ? bytes(payload) : payload, 4096)), String(payload).slice(0, 20)).toBe(code);
      expect(Array.from(out)).toEqual(new Array(size).fill(7));
    }
  });
});

describe('MQTT device table', () => {
  const make = (device: string, now: number): DeviceForecaster => new DeviceForecaster(device, `${device}/out`, { step: (x) => x }, 1, 1, now);

  it('keeps the same session for a device; evicts the least recently used when full; expires the silent', () => {
    const table = new DeviceTable({ maxDevices: 2, deviceIdleMs: 1_000 });
    const a = table.use('a', 0, () => make('a', 0));
    table.use('b', 10, () => make('b', 10));
    expect(table.use('a', 20, () => make('a', 20))).toBe(a);
    table.use('c', 30, () => make('c', 30)); // full: b is the least recently used
    expect(table.peek('b')).toBeUndefined();
    expect(table.peek('a')).toBe(a);
    expect(table).toMatchObject({ size: 2, created: 3, evicted: 1, expired: 0 });
    // a was last used at 20: silent for 1,000 ms at 1,020, so its next reading gets a fresh session.
    expect(table.use('a', 1_020, () => make('a', 1_020))).not.toBe(a);
    expect(table).toMatchObject({ created: 4, expired: 1 });
    expect(table.dropExpired(2_100)).toBe(2);
    expect(table.size).toBe(0);
  });
});

describe('MQTT device forecaster', () => {
  const forecaster = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 2, hiddenSize: 8, numLayers: 1, head: 'linear', outputSize: 2 }, { seed: 3 });

  it('scores each reading against the forecast made before it (root mean square), then steps', () => {
    const device = new DeviceForecaster('d', 'out/d', forecaster.session(), 2, 2, 0);
    const session = forecaster.session();
    const readings = [Float32Array.of(0.5, -1), Float32Array.of(0.25, 2), Float32Array.of(-3, 0)];
    let previous: Float32Array | null = null;
    readings.forEach((reading, k) => {
      device.score(reading);
      const forecast: Float32Array = session.step(reading).slice();
      const anomaly = previous === null ? null : Math.sqrt(((reading[0] - previous[0]) ** 2 + (reading[1] - previous[1]) ** 2) / 2);
      expect(device.seq).toBe(k + 1);
      expect(device.anomaly).toBe(anomaly);
      expect(Array.from(device.nextForecast)).toEqual(Array.from(forecast));
      expect(JSON.parse(device.resultJson())).toEqual({ seq: k + 1, forecast: Array.from(forecast), anomaly });
      previous = forecast;
    });
  });

  it('has no anomaly score when the output is not a reading (outputSize ≠ inputSize)', () => {
    const classifier = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 2, hiddenSize: 8, numLayers: 1, head: 'linear', outputSize: 3 }, { seed: 3 });
    const device = new DeviceForecaster('d', 'out/d', classifier.session(), 2, 3, 0);
    device.score(Float32Array.of(1, 2));
    device.score(Float32Array.of(1, 2));
    expect(JSON.parse(device.resultJson())).toMatchObject({ seq: 2, anomaly: null });
    expect(JSON.parse(device.resultJson()).forecast).toHaveLength(3);
  });
});

describe('MQTT bridge, first errors', () => {
  it('refuses a token model: readings need dense input', () => {
    const language = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: 10, inputSize: 4, hiddenSize: 8, numLayers: 1, head: 'softmax', outputSize: 10 });
    expect(codeOf(() => createMqttBridge(language, { url: 'mqtt://127.0.0.1:1883' }))).toBe(ErrorCode.NOT_A_DENSE_MODEL);
  });

  it.skipIf(!onNode)('says how to install MQTT.js when it is missing', async () => {
    await expect(loadMqttConnect('mqtt-not-installed-here')).rejects.toMatchObject({ code: ErrorCode.MQTT_CLIENT_MISSING, message: expect.stringMatching(/npm install mqtt/) });
  });

  it.skipIf(!onNode)('keeps retrying an unreachable broker until closed; close() then rejects start() with MQTT_CLOSED', async () => {
    const model = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 1, hiddenSize: 4, numLayers: 1, head: 'linear', outputSize: 1 });
    const logged: string[] = [];
    // Port 1 on loopback: nothing listens there, so each try is refused at once.
    const bridge = createMqttBridge(model, { url: 'mqtt://127.0.0.1:1', reconnectMinMs: 20, reconnectMaxMs: 40, log: (line) => logged.push(line) });
    const started = bridge.start();
    const refusals = (): number => logged.filter((line) => /ECONNREFUSED/.test(line)).length;
    // Loading MQTT.js comes first (tens to hundreds of milliseconds), then a try every 10-40 ms.
    const deadline = Date.now() + 5_000;
    while (refusals() < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(refusals(), logged.join('\n')).toBeGreaterThanOrEqual(3);
    expect(bridge.connected).toBe(false);
    await bridge.close();
    await expect(started).rejects.toMatchObject({ code: ErrorCode.MQTT_CLOSED });
    expect(bridge.stats()).toMatchObject({ connected: false, disconnects: 0, reconnects: 0, messages: 0 });
  });
});
