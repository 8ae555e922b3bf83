import { describe, expect, it } from 'vitest';
import { fromTorchStateDict, toTorchStateDict } from '../../src/index.ts';
import { lossAndGradients } from '../../src/train/index.ts';
import { loadTorchFixture, maxAbsDiff, type FixtureTensor } from '../helpers/fixtures.ts';

interface GradientFixture {
  kind: 'lstm' | 'rnn';
  seq_len: number;
  chunks: number;
  params: Record<string, FixtureTensor>;
  grads: Record<string, FixtureTensor>;
  inputs: number[];
  targets: number[];
  chunk_losses: number[];
}

// Must-show 1: PyTorch (float64 autograd) is the answer key; float32 BPTT must match it to 1e-5.
const cases = ['lm_lstm_bptt', 'lm_lstm_tbptt', 'lm_rnn_bptt'].flatMap((name) => [
  [name, 'typescript'],
  [name, 'wasm'],
]) as [string, 'typescript' | 'wasm'][];

describe.each(cases)('gradients of %s (%s kernel)', (name, kernel) => {
  const fixture = loadTorchFixture<GradientFixture>(name);
  const window = fixture.seq_len / fixture.chunks;

  it('match PyTorch for every parameter to 1e-5, and the loss is the sum of the window means', () => {
    const model = fromTorchStateDict(fixture.params);
    const { loss, gradients } = lossAndGradients(model, fixture.inputs, fixture.targets, fixture.chunks > 1 ? { window, kernel } : { kernel });
    const expectedLoss = fixture.chunk_losses.reduce((sum, v) => sum + v, 0);
    expect(Math.abs(loss - expectedLoss)).toBeLessThan(1e-5);
    const dict = toTorchStateDict(gradients);
    for (const [key, expected] of Object.entries(fixture.grads)) {
      if (key.includes('bias_hh')) continue; // the fused bias's gradient is bias_ih's (and equals bias_hh's)
      const error = maxAbsDiff(dict[key].data, expected.data);
      expect(error, key).toBeLessThan(1e-5);
    }
    // The fused bias gradient equals both of PyTorch's bias gradients.
    const biasKey = Object.keys(fixture.grads).find((key) => key.includes('bias_hh'))!;
    expect(maxAbsDiff(dict[biasKey.replace('bias_hh', 'bias_ih')].data, fixture.grads[biasKey].data)).toBeLessThan(1e-5);
  });
});
