// Load on loopback, bounded in count and time (issue 17, Must show 1): many
// sessions typing at once, each sending its field's whole text on every
// keystroke, every answer checked against a fresh session's; and the work
// per keystroke, counted in model steps, the same for a 2,000-character
// text as for a 20-character one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, SeededRandom, type Model } from '../../src/index.ts';
import { onNode } from '../helpers/runtime.ts';
import { referenceSuggestions, smallWordModel } from '../text/text-tracker-reference.ts';
import { call, callLight, metric, newSession, quantile, startServer, type RunningServer } from './serve-helpers.ts';

const SHIPPED_MODEL = 'models/brown-lstm.q8.msgpack';
// LSTM_STREAM_LOAD=full also runs the full figure: 200 sessions on the shipped model (about a minute here).
const FULL = process.env.LSTM_STREAM_LOAD === 'full';

const SENTENCES = [
  'The jury said it did find that many of the new laws were not passed in time.',
  'He walked into the room and looked at the people who were there that night.',
  'In the United States, the first thing to do is to find out what the man wants.',
  'She said that the city would have to pay for the new school by the end of the year.',
  'It was a long time before they knew what had happened to the two men in the car.',
];

/** The texts a person produces typing a sentence: `keystrokes` of them, with a typo taken back now and then. */
function keystrokesOf(sentence: string, keystrokes: number, random: SeededRandom): string[] {
  const texts: string[] = [];
  let text = '';
  let next = 0;
  while (texts.length < keystrokes) {
    if (text.length > 3 && random.uniform(0, 1) < 0.06) {
      text = text.slice(0, -1); // backspace …
      next = text.length;
    } else {
      text += sentence[next % sentence.length];
      next++;
    }
    texts.push(text);
  }
  return texts;
}

interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly roundTripMs: number[]; // sorted
  readonly serverMicroseconds: number[]; // sorted
  readonly mismatches: string[];
  readonly statuses: Map<number, number>;
}

/**
 * `sessions` clients at once, each typing `keystrokes` keystrokes and waiting
 * for each answer before the next (as a field does); the answers of every
 * `checkEvery`-th session are compared with a fresh session's afterwards
 * (outside the timed part: client and server share this process).
 */
async function runLoad(model: Model, url: string, sessions: number, keystrokes: number, checkEvery: number): Promise<LoadResult> {
  const random = new SeededRandom(17);
  const scripts = Array.from({ length: sessions }, (_, s) => keystrokesOf(SENTENCES[s % SENTENCES.length], keystrokes, random));
  const roundTrip: number[] = [];
  const server: number[] = [];
  const statuses = new Map<number, number>();
  const answered: { text: string; suggestions: unknown }[][] = scripts.map(() => []);
  const ids = await Promise.all(scripts.map(() => newSession(url)));
  const started = performance.now();
  await Promise.all(
    scripts.map(async (texts, s) => {
      for (const text of texts) {
        const sent = performance.now();
        const answer = await callLight(url, 'PUT', `/v1/sessions/${ids[s]}/text`, { text, count: 5 });
        roundTrip.push(performance.now() - sent);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 200) server.push(answer.json.microseconds);
        answered[s].push({ text, suggestions: answer.json?.suggestions });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const mismatches: string[] = [];
  answered.forEach((answers, s) => {
    if (s % checkEvery !== 0) return;
    for (const { text, suggestions } of answers) {
      const expected = referenceSuggestions(model, text, 5).map(({ text: t, probability }) => ({ text: t, probability }));
      if (JSON.stringify(suggestions) !== JSON.stringify(expected)) mismatches.push(`session ${s} ${JSON.stringify(text)}`);
    }
  });
  await Promise.all(ids.map((id) => call(url, 'DELETE', `/v1/sessions/${id}`)));
  return { requests: sessions * keystrokes, seconds, roundTripMs: roundTrip.sort((a, b) => a - b), serverMicroseconds: server.sort((a, b) => a - b), mismatches, statuses };
}

function report(label: string, result: LoadResult): string {
  const ms = (x: number): string => x.toFixed(2);
  return (
    `${label}: ${result.requests} PUTs in ${result.seconds.toFixed(2)} s = ${Math.round(result.requests / result.seconds)} requests/s; ` +
    `round trip p50 ${ms(quantile(result.roundTripMs, 0.5))} ms, p99 ${ms(quantile(result.roundTripMs, 0.99))} ms; ` +
    `server compute p50 ${quantile(result.serverMicroseconds, 0.5)} µs, p99 ${quantile(result.serverMicroseconds, 0.99)} µs`
  );
}

describe.skipIf(!onNode)('lstm-stream serve under load', () => {
  const small = smallWordModel();
  let running: RunningServer;

  beforeAll(async () => {
    running = await startServer(small, { maxSessions: 256, maxInFlight: 256 });
  });
  afterAll(() => running.server.close());

  it('serves 50 sessions × 60 keystrokes at once (small model): every answer 200 and a fresh session\'s', async () => {
    const steps = await metric(running.url, 'lstm_stream_tracker_steps_total');
    const result = await runLoad(small, running.url, 50, 60, 1);
    console.log(report('load, small random model, 50 sessions × 60 keystrokes', result));
    expect([...result.statuses]).toEqual([[200, 3000]]);
    expect(result.mismatches).toEqual([]);
    // Each keystroke steps at most the word it finishes (or takes back): far fewer steps than keystrokes.
    const stepped = (await metric(running.url, 'lstm_stream_tracker_steps_total')) - steps;
    console.log(`  ${stepped} model steps for 3000 keystrokes (${(stepped / 3000).toFixed(3)} per keystroke)`);
    expect(stepped / 3000).toBeLessThan(0.5);
  });

  it('steps as much per keystroke at the end of a 2,000-character text as of a 20-character one (shipped model)', async () => {
    const brown = await loadModel(SHIPPED_MODEL);
    const shipped = await startServer(brown, { maxTextLength: 2_100 });
    try {
      const perKeystroke = async (length: number): Promise<{ steps: number; microseconds: number }> => {
        let text = '';
        for (let i = 0; text.length < length; i++) text += `${SENTENCES[i % SENTENCES.length]} `;
        text = text.slice(0, length);
        text = text.slice(0, text.lastIndexOf(' ') + 1); // whole words
        const id = await newSession(shipped.url);
        expect((await call(shipped.url, 'PUT', `/v1/sessions/${id}/text`, { text })).status).toBe(200);
        const before = await metric(shipped.url, 'lstm_stream_tracker_steps_total');
        const times: number[] = [];
        // 20 keystrokes: words, and a word and its space taken back.
        for (const key of 'said a jury\b\b\b\b\b an ') {
          text = key === '\b' ? text.slice(0, -1) : text + key;
          const answer = await call(shipped.url, 'PUT', `/v1/sessions/${id}/text`, { text });
          expect(answer.status).toBe(200);
          times.push(answer.json.microseconds);
        }
        const steps = ((await metric(shipped.url, 'lstm_stream_tracker_steps_total')) - before) / 20;
        return { steps, microseconds: quantile(times.sort((a, b) => a - b), 0.5) };
      };
      const short = await perKeystroke(20);
      const long = await perKeystroke(2_000);
      console.log(
        `per keystroke, shipped model: 20-character text ${short.steps} steps (median ${short.microseconds} µs), ` +
          `2,000-character text ${long.steps} steps (median ${long.microseconds} µs)`,
      );
      expect(long.steps).toBe(short.steps);
      expect(long.steps).toBe(5 / 20); // "said", "a", back to before "a" (one step: "said" again), "a" again, "an"
    } finally {
      await shipped.server.close();
    }
  });

  it.skipIf(!FULL)('serves 200 sessions × 60 keystrokes at once on the shipped model (LSTM_STREAM_LOAD=full)', async () => {
    const brown = await loadModel(SHIPPED_MODEL);
    const shipped = await startServer(brown, { maxSessions: 256, maxInFlight: 256 });
    try {
      const result = await runLoad(brown, shipped.url, 200, 60, 10);
      console.log(report('load, shipped model, 200 sessions × 60 keystrokes', result));
      expect([...result.statuses]).toEqual([[200, 12_000]]);
      expect(result.mismatches).toEqual([]);
    } finally {
      await shipped.server.close();
    }
  }, 600_000);
});
