// Every route of the suggestion server and every error status it documents
// (docs/SERVE.md), in process on a loopback port with a small random model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/index.ts';
import { referenceSuggestions, smallWordModel } from '../text/text-tracker-reference.ts';
import { call, metric, newSession, openSocket, readResponse, readUntilClosed, sleep, startServer, type RunningServer } from './serve-helpers.ts';

const model = smallWordModel();
const shown = (text: string, k: number): { text: string; probability: number }[] =>
  referenceSuggestions(model, text, k).map(({ text: t, probability }) => ({ text: t, probability }));

// On Node, Deno and Bun alike (their node:http and node:net).
describe('lstm-stream serve: routes', () => {
  let running: RunningServer;
  let url = '';

  beforeAll(async () => {
    running = await startServer(model, { maxBodyBytes: 4096, maxTextLength: 300 });
    url = running.url;
  });
  afterAll(() => running.server.close());

  it('POST /v1/sessions makes a session with an unguessable id', async () => {
    const first = await call(url, 'POST', '/v1/sessions');
    expect(first.status).toBe(201);
    expect(first.json.id).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits
    expect(first.headers.get('location')).toBe(`/v1/sessions/${first.json.id}`);
    expect(await newSession(url)).not.toBe(first.json.id);
    // A body is optional, but when there is one it must be a JSON object.
    expect((await call(url, 'POST', '/v1/sessions', {})).status).toBe(201);
    expect((await call(url, 'POST', '/v1/sessions', [1])).json.error.code).toBe(ErrorCode.FIELD_INVALID);
  });

  it('PUT /v1/sessions/{id}/text answers what a fresh session would, keystroke after keystroke', async () => {
    const id = await newSession(url);
    for (const text of ['', 't', 'the', 'the ', 'the c', 'the cat ', 'the cat is on the ', 'a cat is on the ', 'a cat is on the do']) {
      const answer = await call(url, 'PUT', `/v1/sessions/${id}/text`, { text, count: 3 });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.json.suggestions).toEqual(shown(text, 3));
      expect(answer.json.prefix).toBe(/\s$/.test(text) || text === '' ? '' : text.split(' ').pop());
      expect(Number.isInteger(answer.json.microseconds) && answer.json.microseconds >= 0).toBe(true);
    }
    // count defaults to 5.
    expect((await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the ' })).json.suggestions).toEqual(shown('the ', 5));
  });

  it('DELETE /v1/sessions/{id} ends a session: 204, then 404 for it', async () => {
    const id = await newSession(url);
    expect((await call(url, 'DELETE', `/v1/sessions/${id}`)).status).toBe(204);
    const after = await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the ' });
    expect(after.status).toBe(404);
    expect(after.json.error.code).toBe(ErrorCode.SESSION_NOT_FOUND);
    expect((await call(url, 'DELETE', `/v1/sessions/${id}`)).status).toBe(404);
  });

  it('GET /v1/suggest answers without a session', async () => {
    const answer = await call(url, 'GET', `/v1/suggest?text=${encodeURIComponent('the cat is on the ')}&count=4`);
    expect(answer.status).toBe(200);
    expect(answer.json.suggestions).toEqual(shown('the cat is on the ', 4));
    expect((await call(url, 'GET', '/v1/suggest')).json.suggestions).toEqual(shown('', 5));
    expect((await call(url, 'GET', '/v1/suggest?text=the%20c&count=2')).json).toMatchObject({ suggestions: shown('the c', 2), prefix: 'c' });
    for (const count of ['0', '21', '1.5', 'five', '-1']) {
      const bad = await call(url, 'GET', `/v1/suggest?text=the&count=${count}`);
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe(ErrorCode.FIELD_INVALID);
    }
  });

  it('GET /healthz and GET /metrics report on the server', async () => {
    const health = await call(url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ ok: true });
    expect(health.json.sessions).toBeGreaterThan(0);
    const metrics = await call(url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const family of [
      '# TYPE lstm_stream_http_requests_total counter',
      'lstm_stream_http_requests_total{method="PUT",route="/v1/sessions/{id}/text",status="200"}',
      'lstm_stream_http_requests_total{method="PUT",route="/v1/sessions/{id}/text",status="404"} 1',
      '# TYPE lstm_stream_http_request_duration_seconds histogram',
      'lstm_stream_http_request_duration_seconds_bucket{route="/v1/suggest",le="+Inf"}',
      '# TYPE lstm_stream_sessions gauge',
      'lstm_stream_session_evictions_total 0',
      'lstm_stream_rejected_requests_total{code="SESSION_NOT_FOUND"}',
      'lstm_stream_tracker_steps_total',
      'process_resident_memory_bytes',
    ]) {
      expect(metrics.text).toContain(family);
    }
    expect(await metric(url, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 2 ** 20);
  });

  it('answers 404 for an unknown route or session, and 405 (with Allow) for a wrong method', async () => {
    const route = await call(url, 'GET', '/v2/anything');
    expect(route.status).toBe(404);
    expect(route.json.error.code).toBe(ErrorCode.ROUTE_NOT_FOUND);
    // A path starting with // is a path, not a host (sent raw: fetch clients may normalize it).
    const socket = await openSocket(running.port);
    socket.write('GET //v1/sessions HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await readResponse(socket)).status).toBe(404);
    socket.destroy();
    for (const id of ['nope', 'AAAAAAAAAAAAAAAAAAAAAA', '%E0%A4%A', 'a%2Fb']) {
      const session = await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the ' });
      expect(session.status).toBe(404);
      expect(session.json.error.code).toBe(ErrorCode.SESSION_NOT_FOUND);
    }
    const method = await call(url, 'GET', '/v1/sessions');
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('POST');
    expect(method.json.error.code).toBe(ErrorCode.METHOD_NOT_ALLOWED);
    expect((await call(url, 'POST', '/v1/suggest', {})).headers.get('allow')).toBe('GET');
    // No CORS unless asked for: a preflight is just another method.
    const preflight = await call(url, 'OPTIONS', '/v1/sessions');
    expect(preflight.status).toBe(405);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 400 for a body that is not JSON or has wrong fields, naming what was wrong', async () => {
    const id = await newSession(url);
    const put = (body: unknown): Promise<{ status: number; json: { error: { code: string; message: string } } }> => call(url, 'PUT', `/v1/sessions/${id}/text`, body);
    const malformed = await put('{"text": "the');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe(ErrorCode.BODY_MALFORMED);
    const notUtf8 = await call(url, 'PUT', `/v1/sessions/${id}/text`, new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect(notUtf8.json.error.code).toBe(ErrorCode.BODY_MALFORMED);
    expect((await put('')).json.error.code).toBe(ErrorCode.FIELD_INVALID); // empty: no text
    const cases: [unknown, string][] = [
      [[], 'JSON object'],
      ['"the"', 'JSON object'],
      [null, 'JSON object'],
      [{}, '"text"'],
      [{ text: 42 }, '"text"'],
      [{ text: ['the'] }, '"text"'],
      [{ text: 'the', count: 0 }, '"count"'],
      [{ text: 'the', count: 21 }, '"count"'],
      [{ text: 'the', count: 2.5 }, '"count"'],
      [{ text: 'the', count: '5' }, '"count"'],
    ];
    for (const [body, field] of cases) {
      const answer = await put(body === null ? 'null' : typeof body === 'string' ? body : body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.error.code).toBe(ErrorCode.FIELD_INVALID);
      expect(answer.json.error.message).toContain(field);
    }
    // The session is unharmed.
    expect((await put({ text: 'the ', count: 2 })).json).toMatchObject({ suggestions: shown('the ', 2) });
  });

  it('answers 413 for a body or a text over the limit, declared or streamed', async () => {
    const id = await newSession(url);
    const big = await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the '.repeat(2000) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe(ErrorCode.BODY_TOO_LARGE);
    // Chunked, with no length declared: refused once 4,096 bytes have arrived, and the connection stays usable.
    const socket = await openSocket(running.port);
    socket.write(`PUT /v1/sessions/${id}/text HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
    for (let i = 0; i < 6; i++) socket.write(`400\r\n${'x'.repeat(1024)}\r\n`);
    socket.write('0\r\n\r\n');
    const streamed = await readResponse(socket);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error.code).toBe(ErrorCode.BODY_TOO_LARGE);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await readResponse(socket)).status).toBe(200);
    socket.destroy();
    const long = await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: 'a '.repeat(151) });
    expect(long.status).toBe(413);
    expect(long.json.error.code).toBe(ErrorCode.TEXT_TOO_LONG);
    expect((await call(url, 'GET', `/v1/suggest?text=${'a%20'.repeat(151)}`)).json.error.code).toBe(ErrorCode.TEXT_TOO_LONG);
    expect((await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: 'a '.repeat(150) })).status).toBe(200);
  });

  it('needs the bearer token on every route but /healthz when it has one (401 otherwise)', async () => {
    const secured = await startServer(model, { token: 's3cret-token' });
    try {
      const bearer = { authorization: 'Bearer s3cret-token' };
      const missing = await call(secured.url, 'POST', '/v1/sessions');
      expect(missing.status).toBe(401);
      expect(missing.json.error.code).toBe(ErrorCode.UNAUTHORIZED);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="lstm-stream"');
      for (const wrong of ['Bearer s3cret', 'Bearer s3cret-token-and-more', 'Basic czNjcmV0LXRva2Vu', 's3cret-token']) {
        expect((await call(secured.url, 'GET', '/metrics', undefined, { authorization: wrong })).status).toBe(401);
      }
      const id = await newSession(secured.url, bearer);
      expect((await call(secured.url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the ' }, bearer)).status).toBe(200);
      expect((await call(secured.url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the ' })).status).toBe(401);
      expect((await call(secured.url, 'GET', '/v1/suggest?text=the', undefined, bearer)).status).toBe(200);
      expect((await call(secured.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await secured.server.close();
    }
  });

  it('sends CORS headers and answers preflights only for the origin it was given', async () => {
    const cors = await startServer(model, { corsOrigin: 'http://localhost:3000' });
    try {
      const preflight = await call(cors.url, 'OPTIONS', '/v1/sessions/abc/text', undefined, { origin: 'http://localhost:3000', 'access-control-request-method': 'PUT' });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
      expect(preflight.headers.get('access-control-allow-methods')).toBe('PUT');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
      const created = await call(cors.url, 'POST', '/v1/sessions', undefined, { origin: 'http://localhost:3000' });
      expect(created.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
      expect(created.headers.get('vary')).toBe('origin');
      expect((await call(cors.url, 'GET', '/nothing')).headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    } finally {
      await cors.server.close();
    }
  });

  it('refuses a new session with 429 when full of recently used ones, or evicts the least recently used idle one', async () => {
    const full = await startServer(model, { maxSessions: 2 });
    const evicting = await startServer(model, { maxSessions: 2, evictIdleAfterMs: 0 });
    try {
      await newSession(full.url);
      await newSession(full.url);
      const refused = await call(full.url, 'POST', '/v1/sessions');
      expect(refused.status).toBe(429);
      expect(refused.json.error.code).toBe(ErrorCode.TOO_MANY_SESSIONS);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(full.server.sessionCount).toBe(2);

      const a = await newSession(evicting.url);
      const b = await newSession(evicting.url);
      await call(evicting.url, 'PUT', `/v1/sessions/${a}/text`, { text: 'the ' }); // a is now more recent than b
      const c = await newSession(evicting.url);
      expect((await call(evicting.url, 'PUT', `/v1/sessions/${b}/text`, { text: 'the ' })).status).toBe(404);
      expect((await call(evicting.url, 'PUT', `/v1/sessions/${a}/text`, { text: 'the ' })).status).toBe(200);
      expect((await call(evicting.url, 'PUT', `/v1/sessions/${c}/text`, { text: 'the ' })).status).toBe(200);
      expect(await metric(evicting.url, 'lstm_stream_session_evictions_total')).toBe(1);
    } finally {
      await Promise.all([full.server.close(), evicting.server.close()]);
    }
  });

  it('drops a session left idle past sessionIdleMs (404 afterwards)', async () => {
    const expiring = await startServer(model, { sessionIdleMs: 150 });
    try {
      const id = await newSession(expiring.url);
      expect((await call(expiring.url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the ' })).status).toBe(200);
      await sleep(400);
      expect((await call(expiring.url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the ' })).status).toBe(404);
      expect(await metric(expiring.url, 'lstm_stream_sessions_expired_total')).toBe(1);
      expect(expiring.server.sessionCount).toBe(0);
    } finally {
      await expiring.server.close();
    }
  });

  it('answers 429 past maxInFlight requests, 408 for a body that never ends, and closes on headers that never end', async () => {
    const slow = await startServer(model, { maxInFlight: 1, bodyTimeoutMs: 300, headersTimeoutMs: 400 });
    try {
      const id = await newSession(slow.url);
      // One request in flight: its headers are in, its body is not.
      const stalled = await openSocket(slow.port);
      stalled.write(`PUT /v1/sessions/${id}/text HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{"text": "the`);
      await sleep(50);
      const refused = await call(slow.url, 'GET', '/healthz');
      expect(refused.status).toBe(429);
      expect(refused.json.error.code).toBe(ErrorCode.TOO_MANY_REQUESTS);
      expect(refused.headers.get('retry-after')).toBe('1');
      const timedOut = await readResponse(stalled);
      expect(timedOut.status).toBe(408);
      expect(timedOut.headers.connection).toBe('close');
      expect(JSON.parse(timedOut.body).error.code).toBe(ErrorCode.REQUEST_TIMEOUT);
      await readUntilClosed(stalled, 2_000);
      // Headers that never end: Node's headersTimeout closes the connection (it answers 408 itself, without JSON).
      const started = Date.now();
      const halfHeaders = await openSocket(slow.port);
      halfHeaders.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      const heard = await readUntilClosed(halfHeaders, 5_000);
      expect(heard === '' || heard.startsWith('HTTP/1.1 408')).toBe(true);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((await call(slow.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await slow.server.close();
    }
  });

  it('answers 503 to a request that arrives while it shuts down, after finishing the ones in flight', async () => {
    const closing = await startServer(model);
    const id = await newSession(closing.url);
    // In flight: headers in, body half sent.
    const inFlight = await openSocket(closing.port);
    const body = JSON.stringify({ text: 'the cat ', count: 2 });
    inFlight.write(`PUT /v1/sessions/${id}/text HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    // Begun but not finished when the shutdown starts: its connection is busy, so it is not closed as idle.
    const late = await openSocket(closing.port);
    late.write('GET /heal');
    await sleep(50);
    const closed = closing.server.close();
    await sleep(50);
    late.write('thz HTTP/1.1\r\nHost: x\r\n\r\n');
    const refused = await readResponse(late);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.code).toBe(ErrorCode.SHUTTING_DOWN);
    expect(refused.headers.connection).toBe('close');
    inFlight.write(body.slice(5));
    const finished = await readResponse(inFlight);
    expect(finished.status).toBe(200);
    expect(JSON.parse(finished.body).suggestions).toEqual(shown('the cat ', 2));
    await closed;
    await expect(fetch(`${closing.url}/healthz`)).rejects.toThrow();
  });
});
