import { describe, expect, it } from 'vitest';
import { ErrorCode, evaluateLanguageModel, fromTorchStateDict, TextError, createRandomModel } from '../../src/index.ts';
import { loadTorchFixture, type FixtureTensor } from '../helpers/fixtures.ts';

interface LanguageModelFixture {
  vocab: number;
  params: Record<string, FixtureTensor>;
  inputs: number[];
  targets: number[];
  logits: FixtureTensor;
  chunk_losses: number[];
}

const fixture = loadTorchFixture<LanguageModelFixture>('lm_lstm_bptt');

describe('evaluateLanguageModel', () => {
  // The stream whose predictions are exactly PyTorch's: inputs, then the last target.
  const stream = [...fixture.inputs, fixture.targets[fixture.targets.length - 1]];
  const model = fromTorchStateDict(fixture.params);

  it("gives PyTorch's mean cross-entropy as log perplexity", () => {
    const result = evaluateLanguageModel(model, stream);
    expect(result.tokens).toBe(16);
    expect(result.crossEntropy).toBeCloseTo(fixture.chunk_losses[0], 5);
    expect(result.perplexity).toBeCloseTo(Math.exp(fixture.chunk_losses[0]), 4);
  });

  it('counts top-1 and top-5 hits as ranked by the PyTorch logits', () => {
    const V = fixture.vocab;
    let top1 = 0;
    let top5 = 0;
    fixture.targets.forEach((target, t) => {
      const row = fixture.logits.data.slice(t * V, (t + 1) * V);
      const above = row.filter((v) => v > row[target]).length;
      if (above === 0) top1++;
      if (above < 5) top5++;
    });
    const result = evaluateLanguageModel(model, stream);
    expect(result.top1).toBe(top1 / 16);
    expect(result.top5).toBe(top5 / 16);
    expect(top5).toBeGreaterThan(top1); // the fixture exercises both counts
  });

  it('predicts every token when given a start token', () => {
    const withStart = evaluateLanguageModel(model, stream.slice(1), { startToken: stream[0] });
    const without = evaluateLanguageModel(model, stream);
    expect(withStart.tokens).toBe(16);
    expect(withStart.crossEntropy).toBeCloseTo(without.crossEntropy, 12);
  });

  it('rejects models without token input and a softmax head, and ids outside the output', () => {
    const regression = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 2, hiddenSize: 3, numLayers: 1, head: 'linear', outputSize: 1 });
    expect(() => evaluateLanguageModel(regression, [0, 1])).toThrow(TextError);
    try {
      evaluateLanguageModel(model, [1, 2, 99]);
    } catch (error) {
      expect((error as TextError).code).toBe(ErrorCode.UNKNOWN_TOKEN);
      expect((error as TextError).message).toBe('token 2 of the stream is id 99, outside the output [0, 11)');
      return;
    }
    throw new Error('expected a TextError');
  });
});
