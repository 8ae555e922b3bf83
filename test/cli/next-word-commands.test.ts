import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdaptiveSession, createRandomModel, encodeModel, profileOf, softmaxInto, type Model } from '../../src/index.ts';
import { Suggester } from '../../src/cli/suggester.ts';
import { onNode } from '../helpers/runtime.ts';

const VOCABULARY = ['<unk>', '<p>', 'the', 'jury', 'said', 'it', 'its', 'item', '.', 'a', 'walked', 'room'];

function wordModel(): Model {
  return createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: VOCABULARY.length, inputSize: 8, hiddenSize: 8, numLayers: 1, head: 'softmax', outputSize: VOCABULARY.length },
    { seed: 11, embeddingScale: 1, extras: { vocabulary: VOCABULARY, tokenizer: { kind: 'word', unknownToken: '<unk>' } } },
  );
}

/** The distribution after reading `<p>` and then `ids`, computed step by step here. */
function distributionAfter(model: Model, ids: number[]): Float32Array {
  const session = model.session();
  let logits = session.step(1);
  for (const id of ids) logits = session.step(id);
  return softmaxInto(new Float32Array(logits.length), logits);
}

describe('Suggester', () => {
  const model = wordModel();

  it('ranks whole next words by probability after the finished words', () => {
    const suggestions = new Suggester(model).suggest('the jury ', 3);
    const p = distributionAfter(model, [2, 3]);
    const ranked = VOCABULARY.map((token, id) => ({ token, probability: p[id] }))
      .filter((s) => s.token !== '<unk>' && s.token !== '<p>')
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 3);
    expect(suggestions.map((s) => s.token)).toEqual(ranked.map((s) => s.token));
    suggestions.forEach((s, i) => expect(s.probability).toBeCloseTo(ranked[i].probability, 6));
  });

  it('completes the word being typed, and replays when earlier text changes', () => {
    const suggester = new Suggester(model);
    const completions = suggester.suggest('the jury said it', 5);
    expect(completions.map((s) => s.token).sort()).toEqual(['it', 'item', 'its']);
    const p = distributionAfter(model, [2, 3, 4]);
    expect(completions[0].probability).toBeCloseTo(Math.max(p[5], p[6], p[7]), 6);
    // Backspacing into an earlier word replays from the start.
    const after = suggester.suggest('a walked ', 2);
    const q = distributionAfter(model, [9, 10]);
    expect(after[0].probability).toBeCloseTo(Math.max(...Array.from(q).filter((_, id) => id > 1)), 6);
  });

  it('over an AdaptiveSession, learns each finished word once: a word fixed before its text ends is never read, Enter ends a text', () => {
    const adaptive = new AdaptiveSession(model);
    const suggester = new Suggester(model, adaptive);
    let text = '';
    // Typed a character at a time, with "a" typed, finished and taken back, then "the jury said it . " and Enter.
    for (const character of 'the jury a ') suggester.suggest((text += character), 3);
    for (let i = 0; i < 2; i++) suggester.suggest((text = text.slice(0, -1)), 3);
    for (const character of 'said it . walked') suggester.suggest((text += character), 3);
    // The sentence end taught the sentence; the rest waits for the end of the text.
    expect(adaptive.tokensRead).toBe(1 + 5);
    expect(suggester.finishText(text)).toBe(1);
    const cache = profileOf(adaptive).cache!;
    expect(Array.from(cache.tokens)).toEqual([2, 3, 4, 5, 8, 10]);
    // The next text starts from <p>, even where it begins like the last one.
    suggester.suggest('the jury ', 3);
    suggester.finishText('the jury ');
    expect(Array.from(profileOf(adaptive).cache!.tokens)).toEqual([2, 3, 4, 5, 8, 10, 2, 3]);
    expect(adaptive.tokensRead).toBe(1 + 6 + 1 + 2);
  });

  it("shows each token as a person writes it: Brown's `` and '' as a double quote, other words as they are", () => {
    const quoted = createRandomModel(
      { cell: 'lstm', input: 'embedding', vocabSize: 6, inputSize: 4, hiddenSize: 4, numLayers: 1, head: 'softmax', outputSize: 6 },
      { seed: 3, extras: { vocabulary: ['<unk>', '<p>', '``', "''", 'he', 'said'], tokenizer: { kind: 'word', unknownToken: '<unk>' } } },
    );
    const shown = new Suggester(quoted).suggest('he said ', 4).map(({ token, text }) => [token, text]);
    expect(shown.sort()).toEqual([["''", '"'], ['``', '"'], ['he', 'he'], ['said', 'said']]);
  });
});

describe.skipIf(!onNode)('lstm-stream eval / predict / generate (built CLI)', () => {
  const root = resolve(import.meta.dirname, '../..');
  const cli = join(root, 'dist/cli.js');
  let directory = '';
  const model = wordModel();

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'lstm-stream-cli-'));
    writeFileSync(join(directory, 'model.msgpack'), encodeModel(model, { dtype: 'f32' }));
    writeFileSync(join(directory, 'tokens.txt'), 'the\njury\nsaid\nzebra\n.\n<p>\n');
  });
  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });
  const run = (...args: string[]): string => execFileSync(process.execPath, [cli, ...args], { cwd: directory, encoding: 'utf8' });

  it('eval --json prints perplexity, top-1, top-5 and the token count of every token after <p>', () => {
    const result = JSON.parse(run('eval', 'model.msgpack', 'tokens.txt', '--json')) as Record<string, number>;
    expect(Object.keys(result).sort()).toEqual(['perplexity', 'tokens', 'top1', 'top5']);
    // zebra is out of vocabulary: it counts as <unk> (id 0).
    const ids = [2, 3, 4, 0, 8, 1];
    let nll = 0;
    let top1 = 0;
    ids.forEach((id, t) => {
      const p = distributionAfter(model, ids.slice(0, t));
      nll -= Math.log(p[id]);
      if (Array.from(p).every((v) => v <= p[id])) top1++;
    });
    expect(result.tokens).toBe(6);
    expect(result.perplexity).toBeCloseTo(Math.exp(nll / 6), 4);
    expect(result.top1).toBeCloseTo(top1 / 6, 10);
    expect(result.top5).toBeGreaterThanOrEqual(result.top1);
  });

  it('predict --json lists the next words with probabilities', () => {
    const predictions = JSON.parse(run('predict', 'model.msgpack', 'the jury ', '-k', '2', '--json')) as { token: string; probability: number }[];
    const expected = new Suggester(model).suggest('the jury ', 2);
    expect(predictions.map((p) => p.token)).toEqual(expected.map((s) => s.token));
  });

  it('generate is reproducible from its seed', () => {
    const a = run('generate', 'model.msgpack', 'the jury', '--max-tokens', '8', '--seed', '5');
    const b = run('generate', 'model.msgpack', 'the jury', '--max-tokens', '8', '--seed', '5');
    expect(a).toBe(b);
    expect(a.startsWith('the jury ')).toBe(true);
    expect(a.trim().split(/\s+/).length).toBeGreaterThanOrEqual(3);
  });
});

describe.skipIf(!onNode)('lstm-stream usage errors', () => {
  const cli = join(resolve(import.meta.dirname, '../..'), 'dist/cli.js');

  it('prints the usage for --help and for an unknown option (exit 2), not a stack trace', () => {
    expect(execFileSync(process.execPath, [cli, 'eval', '--help'], { encoding: 'utf8' })).toContain('usage: lstm-stream eval MODEL FILE');
    try {
      execFileSync(process.execPath, [cli, 'predict', '--bogus'], { encoding: 'utf8', stdio: 'pipe' });
      throw new Error('expected exit code 2');
    } catch (error) {
      const failure = error as { status: number; stderr: string };
      expect(failure.status).toBe(2);
      expect(failure.stderr).toContain("Unknown option '--bogus'");
      expect(failure.stderr).toContain('usage: lstm-stream predict');
      expect(failure.stderr).not.toContain('    at ');
    }
  });
});
