// Per-client adaptation (docs/SERVE.md, "Adaptation"): each session learns
// its writer on its own, each finished word once; profiles go out and come
// back through GET/PUT, are refused with the documented status and code
// when damaged or not this model's, and DELETE forgets. In process on a
// loopback port with a small random word model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamicEvaluation } from '../../src/adapt/index.ts';
import { adaptiveSession, decodeProfile, encodeProfile, ErrorCode, profileOf, tokenizerOf, type AdaptationProfile } from '../../src/index.ts';
import { createSuggestServer } from '../../src/serve/suggest-server.ts';
import { referenceSuggestions, smallWordModel } from '../text/text-tracker-reference.ts';
import { call, metric, newSession, startServer, type RunningServer } from './serve-helpers.ts';

const model = smallWordModel();
/** An invented name, outside the vocabulary: the model reads it as <unk>, the session learns it as typed. */
const NAME = 'Zorblax';
const FIRST = `the ${NAME} is on the dog . `;

const names = (answer: { json: { suggestions: { text: string }[] } }): string[] => answer.json.suggestions.map((s) => s.text);

/** GET …/profile: the status, content type and the bytes as sent. */
async function getProfileBytes(url: string, id: string): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const response = await fetch(`${url}/v1/sessions/${id}/profile`);
  return { status: response.status, type: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** PUT …/profile with raw bytes. */
function putProfileBytes(url: string, id: string, bytes: Uint8Array) {
  return call(url, 'PUT', `/v1/sessions/${id}/profile`, bytes, { 'content-type': 'application/octet-stream' });
}

/** Sends each text in turn, as a field would on keystrokes; returns the last answer. */
async function type(url: string, id: string, texts: readonly string[], last: Record<string, unknown> = {}) {
  let answer = null;
  for (let i = 0; i < texts.length; i++) {
    answer = await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: texts[i], count: 5, ...(i === texts.length - 1 ? last : {}) });
    expect(answer.status).toBe(200);
  }
  return answer!;
}

/** Every prefix of `text` ending at a character, as keystrokes send them. */
function keystrokes(text: string, from = ''): string[] {
  const texts: string[] = [];
  for (let i = from.length + 1; i <= text.length; i++) texts.push(text.slice(0, i));
  return texts;
}

describe('lstm-stream serve --adapt: per-client adaptation and profiles', () => {
  let running: RunningServer;
  let url = '';

  beforeAll(async () => {
    // A text body limit far below a profile's size: the profile has a limit of its own.
    running = await startServer(model, { adapt: true, maxBodyBytes: 512, maxProfileBytes: 64 * 1024 });
    url = running.url;
  });
  afterAll(() => running.server.close());

  it('a session learns a name typed in its text and suggests it later; another session and GET /v1/suggest never see it', async () => {
    const a = await newSession(url);
    // Suggested as soon as the word is finished, before its sentence ends (the editing session has read it).
    const live = await type(url, a, keystrokes(`the ${NAME} is on the Zo`));
    expect(live.json.prefix).toBe('Zo');
    expect(names(live)).toEqual([NAME]);
    const later = await type(url, a, [FIRST, `${FIRST}a cat is on the ${NAME.slice(0, 3)}`]);
    expect(names(later)).toEqual([NAME]);
    expect(later.json.suggestions[0].probability).toBeGreaterThan(0);

    const b = await newSession(url);
    expect(names(await type(url, b, keystrokes(`the cat is on the ${NAME.slice(0, 3)}`)))).toEqual([]);
    const stateless = await call(url, 'GET', `/v1/suggest?text=${encodeURIComponent(`${FIRST}the Zor`)}`);
    expect(stateless.json.suggestions).toEqual([]);
    // The stateless form stays unadapted: exactly a fresh plain session's answer.
    const plain = await call(url, 'GET', `/v1/suggest?text=${encodeURIComponent(FIRST)}&count=4`);
    expect(plain.json.suggestions).toEqual(referenceSuggestions(model, FIRST, 4).map(({ text, probability }) => ({ text, probability })));
  });

  it('each finished word teaches the session once, however the text is edited and replayed', async () => {
    const id = await newSession(url);
    // A typo inside the sentence being written, fixed before it ends: never taught.
    await type(url, id, [...keystrokes(`the ${NAME} is on the dgo `), `the ${NAME} is on the `, `the ${NAME} is on the dog`, `the ${NAME} is on the dog .`]);
    // The sentence is finished once text follows its end: taught now, once.
    await type(url, id, [FIRST, `${FIRST}it`]);
    // An edit inside taught text: the editing session replays from "the", the learner is not taught it again.
    const edited = `the ${NAME} is on a dog . `;
    await type(url, id, [`${edited}it`, `${edited}it is the ca`, `${edited}it is the cat`], { finish: true });
    // finish taught the rest, "cat" included; the next text is a new one.
    await type(url, id, keystrokes(`${NAME} is`));

    const got = await getProfileBytes(url, id);
    expect(got.status).toBe(200);
    expect(got.type).toBe('application/octet-stream');
    const served = decodeProfile(got.bytes);

    // The same learning the slow way: one adaptive session reading each text once, as it stood when taught.
    const tokenizer = tokenizerOf(model)!;
    const v = tokenizer.vocabulary;
    const reference = adaptiveSession(model);
    const read = (text: string): void => {
      for (const piece of tokenizer.split(text)) reference.step(v.idOf(piece), piece);
    };
    reference.step(v.idOf('<p>'));
    read(FIRST);
    // The learner joins the text again after the edit from the text's state there (the edited sentence's).
    const context = model.session();
    context.step(v.idOf('<p>'));
    for (const piece of tokenizer.split(edited)) context.step(v.idOf(piece));
    reference.restore(context.snapshot());
    read('it is the cat');
    // A new text: the learner starts it as a fresh one does, from the start token.
    reference.reset();
    reference.step(v.idOf('<p>'));
    // Saving the profile teaches the finished words of the text being written; "is" is still being typed.
    read(NAME);
    const expected = profileOf(reference);

    expect(served.tokensRead).toBe(expected.tokensRead);
    expect(served.tokensRead).toBe(1 + 7 + 4 + 1 + 1); // <p>, the first sentence, "it is the cat", <p>, the name
    expect(served.newWords).toEqual([{ text: NAME, count: 2 }]);
    expect(served.cache!.tokens).toEqual(expected.cache!.tokens);
    expect(served.cache!.newWordIndices).toEqual(expected.cache!.newWordIndices);
    expect(served.cache!.states).toEqual(expected.cache!.states);
    expect(served.state).toBeNull();
  });

  it('a profile round-trips through GET and PUT into a new session, which then suggests the name', async () => {
    const a = await newSession(url);
    await type(url, a, [FIRST, `${FIRST}the dog is on the cat . `, `${FIRST}the dog is on the cat . a cat and an ant do it . `]);
    const saved = await getProfileBytes(url, a);
    expect(saved.status).toBe(200);
    // Larger than a text body may be: the profile's own limit applies.
    expect(saved.bytes.length).toBeGreaterThan(running.server.options.maxBodyBytes);
    expect(decodeProfile(saved.bytes).newWords).toEqual([{ text: NAME, count: 1 }]);

    const c = await newSession(url);
    expect(names(await type(url, c, ['the Zor']))).toEqual([]);
    const put = await putProfileBytes(url, c, saved.bytes);
    expect(put.status).toBe(204);
    expect(put.text).toBe('');
    expect(names(await type(url, c, ['the Zor']))).toEqual([NAME]);
    // C holds A's learning, and its text started afresh: saving teaches the one finished word of "the Zor".
    const back = decodeProfile((await getProfileBytes(url, c)).bytes);
    expect(back.newWords).toEqual([{ text: NAME, count: 1 }]);
    expect(back.cache!.tokens).toEqual(Int32Array.from([...decodeProfile(saved.bytes).cache!.tokens, model.vocabulary!.indexOf('the')]));
  });

  it('refuses damaged profiles (400), other models\' and weight-adapted ones (422), and oversized bodies (413), leaving the session as it was', async () => {
    const id = await newSession(url);
    await type(url, id, [FIRST]);
    const good = (await getProfileBytes(url, id)).bytes;
    const refusedBefore = await metric(url, 'lstm_stream_profiles_refused_total');

    const flipped = good.slice();
    flipped[Math.floor(flipped.length / 2)] ^= 0xff;
    const truncated = good.slice(0, good.length - 20);
    const damaged: [string, Uint8Array, string][] = [
      ['a flipped byte', flipped, ErrorCode.CHECKSUM_MISMATCH],
      ['a truncated file', truncated, ErrorCode.TRUNCATED],
      ['an empty body', new Uint8Array(0), ErrorCode.TRUNCATED],
      ['JSON', new TextEncoder().encode('{"newWords":["Zorblax"]}'), ErrorCode.NOT_MSGPACK],
    ];
    for (const [what, bytes, code] of damaged) {
      const answer = await putProfileBytes(url, id, bytes);
      expect({ what, status: answer.status, code: answer.json?.error?.code }).toEqual({ what, status: 400, code });
    }

    // Another model of the same shape and vocabulary, other weights.
    const other = adaptiveSession(smallWordModel(8));
    other.readText(FIRST);
    const mismatch = await putProfileBytes(url, id, encodeProfile(profileOf(other)));
    expect(mismatch.status).toBe(422);
    expect(mismatch.json.error.code).toBe(ErrorCode.PROFILE_MODEL_MISMATCH);

    // A profile with dynamic evaluation's weight deltas: these sessions have none to take them.
    const dynamic = adaptiveSession(model, { dynamic: dynamicEvaluation(model, { segment: 2 }) });
    dynamic.readText(`${FIRST}${FIRST}`);
    const withDeltas: AdaptationProfile = profileOf(dynamic);
    expect(withDeltas.deltas.length).toBeGreaterThan(0);
    const deltas = await putProfileBytes(url, id, encodeProfile(withDeltas));
    expect(deltas.status).toBe(422);
    expect(deltas.json.error.code).toBe(ErrorCode.ADAPT_OPTION_INVALID);

    const huge = await putProfileBytes(url, id, new Uint8Array(64 * 1024 + 1));
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe(ErrorCode.BODY_TOO_LARGE);
    expect(huge.json.error.message).toContain('--max-profile');

    expect(await metric(url, 'lstm_stream_profiles_refused_total')).toBe(refusedBefore + damaged.length + 2);
    // Nothing was applied: the session still knows the name and its profile is what it was.
    expect(names(await type(url, id, [`${FIRST}the Zor`]))).toEqual([NAME]);
    expect(decodeProfile((await getProfileBytes(url, id)).bytes).newWords).toEqual([{ text: NAME, count: 1 }]);
  });

  it('DELETE …/profile forgets what the session learned', async () => {
    const id = await newSession(url);
    await type(url, id, [FIRST, `${FIRST}the Zor`]);
    const forgotten = await call(url, 'DELETE', `/v1/sessions/${id}/profile`);
    expect(forgotten.status).toBe(204);
    expect(names(await type(url, id, ['the Zor']))).toEqual([]);
    const profile = decodeProfile((await getProfileBytes(url, id)).bytes);
    expect(profile.newWords).toEqual([]);
    expect(profile.tokensRead).toBe(2); // <p> and "the", taught when the profile was saved
    // The session itself goes on.
    expect((await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the cat ' })).status).toBe(200);
  });

  it('checks finish, sessions and methods on the profile routes, and reports in /metrics', async () => {
    const id = await newSession(url);
    const bad = await call(url, 'PUT', `/v1/sessions/${id}/text`, { text: 'the', finish: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe(ErrorCode.FIELD_INVALID);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const unknown = await call(url, method, '/v1/sessions/nope/profile', method === 'PUT' ? 'x' : undefined);
      expect(unknown.status).toBe(404);
      expect(unknown.json.error.code).toBe(ErrorCode.SESSION_NOT_FOUND);
    }
    const post = await call(url, 'POST', `/v1/sessions/${id}/profile`);
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, PUT, DELETE');

    expect(await metric(url, 'lstm_stream_adapted_sessions')).toBe(running.server.sessionCount);
    expect(await metric(url, 'lstm_stream_tokens_taught_total')).toBeGreaterThan(20);
    expect(await metric(url, 'lstm_stream_profiles_saved_total')).toBeGreaterThanOrEqual(6);
    expect(await metric(url, 'lstm_stream_profiles_loaded_total')).toBe(1);
    expect(await metric(url, 'lstm_stream_profiles_forgotten_total')).toBe(1);
    expect(await metric(url, 'lstm_stream_http_requests_total{method="PUT",route="/v1/sessions/{id}/profile",status="204"}')).toBe(1);
  });
});

describe('lstm-stream serve without --adapt', () => {
  it('answers 404 ADAPTATION_OFF on the profile routes and adapts nobody', async () => {
    const running = await startServer(model);
    try {
      const id = await newSession(running.url);
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const answer = await call(running.url, method, `/v1/sessions/${id}/profile`, method === 'PUT' ? 'x' : undefined);
        expect(answer.status).toBe(404);
        expect(answer.json.error.code).toBe(ErrorCode.ADAPTATION_OFF);
        expect(answer.json.error.message).toContain('--adapt');
      }
      // A name typed in a plain session is <unk> and nothing more.
      expect(names(await type(running.url, id, [FIRST, `${FIRST}the Zor`]))).toEqual([]);
      expect(await metric(running.url, 'lstm_stream_adapted_sessions')).toBe(0);
    } finally {
      await running.server.close();
    }
  });

  it('refuses adaptation options it cannot honour when the server is made', () => {
    const code = (options: object): string | undefined => {
      try {
        createSuggestServer(model, options);
      } catch (error) {
        return (error as { code: string }).code;
      }
      return undefined;
    };
    expect(code({ adapt: { dynamic: dynamicEvaluation(model) } })).toBe(ErrorCode.SERVE_OPTION_INVALID);
    expect(code({ adapt: true, createSession: () => model.session() })).toBe(ErrorCode.SERVE_OPTION_INVALID);
    expect(code({ adapt: { cache: { size: 0 } } })).toBe(ErrorCode.SERVE_OPTION_INVALID);
    expect(code({ adapt: { sentenceEnds: [3] } })).toBe(ErrorCode.SERVE_OPTION_INVALID);
    expect(code({ adapt: 'yes' })).toBe(ErrorCode.SERVE_OPTION_INVALID);
    expect(code({ adapt: true, maxProfileBytes: 0 })).toBe(ErrorCode.SERVE_OPTION_INVALID);
    expect(code({ adapt: { cache: false, newWords: { maxWords: 5 } } })).toBeUndefined();
  });
});
