// Bad input (issue 17, Must show 3): oversized bodies, malformed JSON, wrong
// types, unknown ids, a flood of session creations and slow clients, each
// answered as docs/SERVE.md says while a normal client typing at the same
// time keeps getting correct answers; memory stays bounded while sessions
// are created and abandoned.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ErrorCode, TextTracker } from '../../src/index.ts';
import { SessionTable } from '../../src/serve/session-table.ts';
import { onNode } from '../helpers/runtime.ts';
import { referenceSuggestions, smallWordModel } from '../text/text-tracker-reference.ts';
import { call, callLight, metric, newSession, openSocket, readResponse, readUntilClosed, sleep, startServer } from './serve-helpers.ts';

const model = smallWordModel();
const MIB = 2 ** 20;

/** `count` calls of `work`, `concurrency` at a time; their results in order. */
async function pool<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

describe.skipIf(!onNode)('lstm-stream serve: bad input while others are served', () => {
  it('answers every kind of bad request as documented, and a concurrent normal client gets every answer right', async () => {
    const { server, url, port } = await startServer(model, { maxSessions: 64, maxBodyBytes: 8 * 1024, maxInFlight: 512, bodyTimeoutMs: 500, headersTimeoutMs: 500 });
    try {
      // The normal client: types and clears a sentence, over and over, until the attacks are over.
      const normalId = await newSession(url);
      const answers: { text: string; status: number; suggestions: unknown }[] = [];
      let attacking = true;
      const normal = (async () => {
        const sentence = 'the cat is on the dog and it is two ants . ';
        for (let i = 0; attacking || answers.length < 50; i = (i + 1) % sentence.length) {
          const text = sentence.slice(0, i + 1);
          const answer = await callLight(url, 'PUT', `/v1/sessions/${normalId}/text`, { text, count: 3 });
          answers.push({ text, status: answer.status, suggestions: answer.json?.suggestions });
        }
      })();

      const statuses = (results: { status: number }[]): number[] => [...new Set(results.map((r) => r.status))];
      const codes = (results: { json: { error?: { code: string } } }[]): string[] => [...new Set(results.map((r) => r.json?.error?.code ?? 'none'))];
      const slowBodies = Array.from({ length: 10 }, async () => {
        const socket = await openSocket(port);
        socket.write(`PUT /v1/sessions/${normalId}/text HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"text": "the`);
        const answer = await readResponse(socket, 5_000);
        socket.destroy();
        return answer;
      });
      const slowHeaders = Array.from({ length: 10 }, async () => {
        const socket = await openSocket(port);
        socket.write('PUT /v1/sessions/x/text HTTP/1.1\r\nHost: x\r\n');
        return readUntilClosed(socket, 5_000);
      });
      const [oversized, malformed, wrongTypes, unknownIds, flood, bodies, headers] = await Promise.all([
        pool(20, 4, () => call(url, 'PUT', `/v1/sessions/${normalId}/text`, { text: 'x'.repeat(100_000) })),
        pool(50, 5, (i) => call(url, 'PUT', `/v1/sessions/${normalId}/text`, ['{"text":', '{text: "a"}', "{'text': 'a'}", '{"text": "a",}', '\u0000'][i % 5])),
        pool(50, 5, (i) => call(url, 'PUT', `/v1/sessions/${normalId}/text`, [{ text: 1 }, { text: null }, { text: 'a', count: -1 }, [], { count: 3 }][i % 5])),
        pool(50, 5, (i) => call(url, 'PUT', `/v1/sessions/unknown-${i}/text`, { text: 'the ' })),
        pool(2_000, 20, () => callLight(url, 'POST', '/v1/sessions')),
        Promise.all(slowBodies),
        Promise.all(slowHeaders),
      ]);
      attacking = false;
      await normal;

      expect(statuses(oversized)).toEqual([413]);
      expect(codes(oversized)).toEqual([ErrorCode.BODY_TOO_LARGE]);
      expect(statuses(malformed)).toEqual([400]);
      expect(codes(malformed)).toEqual([ErrorCode.BODY_MALFORMED]);
      expect(statuses(wrongTypes)).toEqual([400]);
      expect(codes(wrongTypes)).toEqual([ErrorCode.FIELD_INVALID]);
      expect(statuses(unknownIds)).toEqual([404]);
      expect(codes(unknownIds)).toEqual([ErrorCode.SESSION_NOT_FOUND]);
      // The flood fills the table (63 beside the normal client's), then is refused: no session is idle long enough to evict.
      expect(flood.filter((r) => r.status === 201)).toHaveLength(63);
      expect(flood.filter((r) => r.status === 429)).toHaveLength(2_000 - 63);
      expect(codes(flood.filter((r) => r.status === 429))).toEqual([ErrorCode.TOO_MANY_SESSIONS]);
      expect(server.sessionCount).toBe(64);
      expect(bodies.map((b) => b.status)).toEqual(new Array(10).fill(408));
      for (const heard of headers) expect(heard === '' || heard.startsWith('HTTP/1.1 408')).toBe(true);

      // The normal client was served throughout, every answer right.
      expect(answers.length).toBeGreaterThanOrEqual(50);
      expect([...new Set(answers.map((a) => a.status))]).toEqual([200]);
      for (const { text, suggestions } of answers) {
        expect(suggestions).toEqual(referenceSuggestions(model, text, 3).map(({ text: t, probability }) => ({ text: t, probability })));
      }
      expect(await metric(url, 'lstm_stream_rejected_requests_total{code="TOO_MANY_SESSIONS"}')).toBe(2_000 - 63);
      expect(await metric(url, 'lstm_stream_rejected_requests_total{code="REQUEST_TIMEOUT"}')).toBe(10);
    } finally {
      await server.close();
    }
  });

  it('keeps memory bounded while 5,000 sessions are created, used and abandoned over HTTP (evicting the least recently used)', async () => {
    const { server, url } = await startServer(model, { maxSessions: 100, evictIdleAfterMs: 0, maxInFlight: 512 });
    try {
      const churn = (count: number): Promise<unknown> =>
        pool(count, 16, async () => {
          const created = await callLight(url, 'POST', '/v1/sessions');
          expect(created.status).toBe(201);
          // Used once, then abandoned; it may already have been evicted by the others (404 is the documented answer then).
          const used = await callLight(url, 'PUT', `/v1/sessions/${created.json.id}/text`, { text: 'the cat is on the dog and it ' });
          expect([200, 404]).toContain(used.status);
        });
      await churn(500); // warm up: the table full, the code compiled
      const before = process.memoryUsage.rss();
      await churn(5_000);
      const grown = (process.memoryUsage.rss() - before) / MIB;
      console.log(`5,000 sessions created and abandoned over HTTP: rss ${grown >= 0 ? '+' : ''}${grown.toFixed(1)} MiB, ${server.sessionCount} held`);
      expect(server.sessionCount).toBe(100);
      expect(await metric(url, 'lstm_stream_session_evictions_total')).toBe(5_500 - 100);
      expect(grown).toBeLessThan(64);
    } finally {
      await server.close();
    }
  });

  it('keeps memory bounded while 100,000 sessions are created and abandoned (the session table, without HTTP)', () => {
    // Live memory after a full collection (V8's gc(), Node only), so what is measured is what is kept, not garbage not yet collected.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const live = (): number => {
      gc();
      gc();
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    const table = new SessionTable({ maxSessions: 256, sessionIdleMs: 600_000, evictIdleAfterMs: 0 });
    const make = (): TextTracker => {
      const tracker = new TextTracker(model.session(), { maxBoundaries: 128 });
      tracker.update('the cat ');
      return tracker;
    };
    for (let i = 0; i < 2_000; i++) table.create(make);
    const before = live();
    const rssBefore = process.memoryUsage.rss();
    for (let i = 0; i < 100_000; i++) table.create(make);
    const grown = (live() - before) / MIB;
    const rssGrown = (process.memoryUsage.rss() - rssBefore) / MIB;
    console.log(`100,000 sessions created and abandoned in the table: live heap ${grown >= 0 ? '+' : ''}${grown.toFixed(2)} MiB, rss ${rssGrown >= 0 ? '+' : ''}${rssGrown.toFixed(1)} MiB, ${table.size} held`);
    expect(table.size).toBe(256);
    expect(table.evicted).toBe(102_000 - 256);
    expect(grown).toBeLessThan(4);
  });
});
