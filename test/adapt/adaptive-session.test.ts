import { describe, expect, it } from 'vitest';
import { AdaptiveSession } from '../../src/adapt/adaptive-session.ts';
import { dynamicEvaluation } from '../../src/adapt/dynamic/dynamic-evaluation.ts';
import { createRandomModel, ErrorCode, LstmStreamError, logSumExp, type Model } from '../../src/index.ts';

const V = 40;
const H = 16;
const WORDS = ['<unk>', '<p>', 'the', 'said', '.', ',', 'a', 'of', 'to', 'and'];
const vocabulary = Array.from({ length: V }, (_, i) => WORDS[i] ?? `w${i}`);

function languageModel(seed: number): Model {
  return createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 12, hiddenSize: H, numLayers: 2, head: 'softmax', outputSize: V },
    { seed, extras: { vocabulary, tokenizer: { kind: 'word', unknownToken: '<unk>' } } },
  );
}

function tokenStream(length: number, seed: number): number[] {
  const tokens: number[] = [];
  let x = seed;
  // Repetitive text, as a writer's is: a cache and dynamic evaluation have something to learn.
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    tokens.push(i % 7 === 0 ? 3 : (x >> 16) % 12);
  }
  return tokens;
}

/** Natural-log probability of each token given the ones before it. */
function scores(session: { step(token: number): Float32Array }, tokens: readonly number[]): number[] {
  const out: number[] = [];
  let logits = session.step(1);
  for (const token of tokens) {
    out.push(logits[token] - logSumExp(logits, V));
    logits = session.step(token);
  }
  return out;
}

describe('AdaptiveSession', () => {
  it('one adaptive session learns (cache and dynamic evaluation) while another session of the same Model stays bit-identical to a fresh one', () => {
    const model = languageModel(1);
    const tokens = tokenStream(300, 9);
    const adaptive = new AdaptiveSession(model, { dynamic: dynamicEvaluation(model, { segment: 5, learningRate: 1 }) });
    const plain = model.session();
    const adaptiveScores: number[] = [];
    const plainOutputs: Float32Array[] = [];
    let adaptiveLogits = adaptive.step(1);
    plainOutputs.push(plain.step(1).slice());
    for (const token of tokens) {
      adaptiveScores.push(adaptiveLogits[token] - adaptive.logNormalizer);
      adaptiveLogits = adaptive.step(token);
      plainOutputs.push(plain.step(token).slice());
    }
    const fresh = model.session();
    expect(Array.from(fresh.step(1))).toEqual(Array.from(plainOutputs[0]));
    tokens.forEach((token, i) => expect(Array.from(fresh.step(token))).toEqual(Array.from(plainOutputs[i + 1])));
    // And the adaptive one did learn: it predicts this repetitive text better than the static model.
    const staticScores = scores(model.session(), tokens);
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(adaptiveScores.slice(100))).toBeGreaterThan(mean(staticScores.slice(100)) + 0.1);
    expect((adaptive.dynamic as ReturnType<typeof dynamicEvaluation>).updates).toBe(Math.floor(300 / 5));
  });

  it('is causal: two texts that share their first 137 tokens get identical scores over them, with the cache and dynamic evaluation on', () => {
    const model = languageModel(2);
    const shared = tokenStream(137, 4);
    const first = [...shared, ...tokenStream(60, 5)];
    const second = [...shared, ...tokenStream(60, 6)];
    const run = (tokens: number[]): number[] =>
      scores(new AdaptiveSession(model, { cache: { size: 50, theta: 1, lambda: 0.2 }, dynamic: dynamicEvaluation(model, { segment: 10, learningRate: 2 }) }), tokens);
    const a = run(first);
    const b = run(second);
    expect(a.slice(0, 137)).toEqual(b.slice(0, 137));
    expect(a.slice(137)).not.toEqual(b.slice(137));
  });

  it('updates the output bias by exactly −η·mean(p − onehot) over the segment, after the segment was read (decay 0)', () => {
    const model = languageModel(3);
    const T = 6;
    const eta = 0.5;
    const tokens = tokenStream(T + 1, 11);
    const dynamic = dynamicEvaluation(model, { segment: T, learningRate: eta, decay: 0, parameters: 'biases' });
    const adaptive = new AdaptiveSession(model, { cache: false, dynamic });
    // The gradient, independently: the static model's softmax over the segment
    // from the same start. The first segment's inputs are <p> and tokens 0 … T−2,
    // its targets tokens 0 … T−1.
    const reference = model.session();
    const expected = new Float64Array(V);
    let logits = reference.step(1);
    for (let t = 0; t < T; t++) {
      const lse = logSumExp(logits, V);
      for (let w = 0; w < V; w++) expected[w] -= (eta * (Math.exp(logits[w] - lse) - (w === tokens[t] ? 1 : 0))) / T;
      logits = reference.step(tokens[t]);
    }
    adaptive.step(1);
    for (let t = 0; t < T - 1; t++) adaptive.step(tokens[t]);
    expect(dynamic.updates).toBe(0); // the segment's last target not read yet
    adaptive.step(tokens[T - 1]);
    expect(dynamic.updates).toBe(1);
    const delta = dynamic.deltas().find((d) => d.name === 'head.bias')!.values;
    let worst = 0;
    for (let w = 0; w < V; w++) worst = Math.max(worst, Math.abs(delta[w] - expected[w]));
    expect(worst).toBeLessThan(1e-6);
    // forget() goes back to the shipped weights.
    adaptive.forget();
    expect(dynamic.deltas().every((d) => d.values.every((x) => x === 0))).toBe(true);
  });

  it('offers new words in place of the unknown token, which it never suggests; their probabilities add up to the unknown token\'s', () => {
    const model = languageModel(4);
    const adaptive = new AdaptiveSession(model, { cache: { size: 100, theta: 0, lambda: 0.5 } });
    adaptive.readText('the Zorblat said the Quindle said the Zorblat said the');
    expect(adaptive.newWords!.size).toBe(2);
    const predictions = adaptive.predictNext(V + 5);
    expect(predictions.some((p) => p.id === adaptive.unknownId && !p.newWord)).toBe(false);
    const zorblat = predictions.find((p) => p.token === 'Zorblat')!;
    const quindle = predictions.find((p) => p.token === 'Quindle')!;
    expect(zorblat.newWord).toBe(true);
    expect(zorblat.probability).toBeGreaterThan(quindle.probability); // seen twice in the cache, against once
    const logits = adaptive.readText('the')!;
    const unknown = Math.exp(logits[adaptive.unknownId] - adaptive.logNormalizer);
    const shares = adaptive.predictNext(V + 5).filter((p) => p.newWord).reduce((sum, p) => sum + p.probability, 0);
    expect(shares).toBeCloseTo(unknown, 6);
    const total = adaptive.predictNext(V + 5).reduce((sum, p) => sum + p.probability, 0);
    expect(total).toBeCloseTo(1, 5);
  });

  it('does not take a known word capitalized at a sentence start for a new word, but does inside a sentence', () => {
    const adaptive = new AdaptiveSession(languageModel(4));
    // "The" opens the text and "Said" follows ".": the vocabulary has both lowercased. The second
    // "Said" is inside a sentence (a name, say) and "Zorblat" is not in the vocabulary at all.
    adaptive.readText('The Zorblat said. Said the Zorblat, the Said said');
    const words = Array.from({ length: adaptive.newWords!.size }, (_, i) => [adaptive.newWords!.textOf(i), adaptive.newWords!.countOf(i)]);
    expect(words).toEqual([['Zorblat', 2], ['Said', 1]]);
    // After a reset a text starts again; after a restore the token before is not known, so a capital counts.
    adaptive.reset();
    adaptive.readText('Said');
    expect(adaptive.newWords!.countOf(1)).toBe(1);
    const state = adaptive.snapshot();
    adaptive.restore(state);
    adaptive.readText('Said');
    expect(adaptive.newWords!.countOf(1)).toBe(2);
    // A word whose lowercase form is unknown too is new wherever it stands.
    adaptive.readText('. Quindle');
    expect(adaptive.newWords!.textOf(2)).toBe('Quindle');
    // Typed as nothing at a sentence start: not a word, and no error.
    adaptive.reset();
    adaptive.step(adaptive.unknownId, '');
    expect(adaptive.newWords!.size).toBe(3);
  });

  it('learns a new word that opens the text, before the cache has a state to pair it with', () => {
    const adaptive = new AdaptiveSession(languageModel(4));
    adaptive.readText('Vellomir said the');
    expect(adaptive.newWords!.textOf(0)).toBe('Vellomir');
    expect(adaptive.cache!.count).toBe(2); // said and the; the first token has no state before it
  });

  it('refuses a model that is not a language model, a dynamic adaptation of another model, and bad step input', () => {
    const dense = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'linear', outputSize: 2 });
    expect(() => new AdaptiveSession(dense)).toThrow(expect.objectContaining({ code: ErrorCode.NOT_A_LANGUAGE_MODEL }));
    const model = languageModel(5);
    expect(() => new AdaptiveSession(model, { dynamic: dynamicEvaluation(languageModel(6)) })).toThrow(expect.objectContaining({ code: ErrorCode.ADAPT_OPTION_INVALID }));
    const adaptive = new AdaptiveSession(model);
    adaptive.step(2);
    const before = adaptive.snapshot();
    let caught: unknown = null;
    try {
      adaptive.step(V);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LstmStreamError);
    expect((caught as LstmStreamError).code).toBe(ErrorCode.TOKEN_OUT_OF_RANGE);
    expect(Array.from(adaptive.snapshot())).toEqual(Array.from(before));
    expect(adaptive.cache!.count).toBe(0);
  });
});
