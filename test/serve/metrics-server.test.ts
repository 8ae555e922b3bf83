// The metrics endpoint `serve --mqtt --port N` runs beside the bridge, and
// the suggestion server's extraMetrics (one /metrics when a program runs both).
import { describe, expect, it } from 'vitest';
import { createRandomModel, ErrorCode } from '../../src/index.ts';
import { createMetricsServer } from '../../src/serve/metrics-server.ts';
import { createMqttBridge } from '../../src/serve/mqtt-bridge.ts';
import { onNode } from '../helpers/runtime.ts';
import { smallWordModel } from '../text/text-tracker-reference.ts';
import { call, startServer } from './serve-helpers.ts';

describe.skipIf(!onNode)('metrics server', () => {
  it('GET /metrics (with its token) and /healthz (503 while not ok); 401, 404 and 405 in the JSON error form', async () => {
    let ok = false;
    const server = createMetricsServer({ port: 0, token: 'secret-token', render: () => 'lstm_stream_mqtt_connected 0\n', health: () => ({ ok, connected: ok }) });
    const { url } = await server.listen();
    try {
      expect((await call(url, 'GET', '/healthz')).status).toBe(503);
      ok = true;
      expect(await call(url, 'GET', '/healthz')).toMatchObject({ status: 200, json: { ok: true, connected: true } });
      expect((await call(url, 'GET', '/metrics')).json.error.code).toBe(ErrorCode.UNAUTHORIZED);
      const metrics = await call(url, 'GET', '/metrics', undefined, { authorization: 'Bearer secret-token' });
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(metrics.text).toBe('lstm_stream_mqtt_connected 0\n');
      expect(await call(url, 'GET', '/v1/sessions')).toMatchObject({ status: 404, json: { error: { code: ErrorCode.ROUTE_NOT_FOUND } } });
      const post = await call(url, 'POST', '/metrics', { a: 1 });
      expect(post).toMatchObject({ status: 405, json: { error: { code: ErrorCode.METHOD_NOT_ALLOWED } } });
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await server.close();
    }
  });

  it("the suggestion server's /metrics carries an MQTT bridge's series when given extraMetrics", async () => {
    const forecaster = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 1, hiddenSize: 4, numLayers: 1, head: 'linear', outputSize: 1 });
    const bridge = createMqttBridge(forecaster, { url: 'mqtt://127.0.0.1:1' }); // never started: its counters are all zero
    const language = smallWordModel();
    const { server, url } = await startServer(language, { extraMetrics: () => bridge.renderMetrics() });
    try {
      const text = (await call(url, 'GET', '/metrics')).text;
      expect(text).toMatch(/^lstm_stream_sessions 0$/m);
      expect(text).toMatch(/^lstm_stream_mqtt_connected 0$/m);
      expect(text).toMatch(/^lstm_stream_mqtt_readings_scored_total 0$/m);
    } finally {
      await server.close();
    }
  });
});
