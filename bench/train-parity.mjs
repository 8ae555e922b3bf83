// Must-show 1 figures: the largest |gradient − PyTorch's| per fixture, and the loss error.
//   npm run build && node bench/train-parity.mjs
import { readFileSync } from 'node:fs';
import { fromTorchStateDict, toTorchStateDict } from '../dist/index.js';
import { lossAndGradients } from '../dist/train.js';

console.log('| fixture | BPTT | kernel | loss error | max abs gradient error (tensor) |');
console.log('| --- | --- | --- | ---: | ---: |');
for (const kernel of ['typescript', 'wasm'])
for (const name of ['lm_lstm_bptt', 'lm_lstm_tbptt', 'lm_rnn_bptt']) {
  const fixture = JSON.parse(readFileSync(new URL(`../test/fixtures/torch/${name}.json`, import.meta.url), 'utf8'));
  const window = fixture.seq_len / fixture.chunks;
  const { loss, gradients } = lossAndGradients(fromTorchStateDict(fixture.params), fixture.inputs, fixture.targets, fixture.chunks > 1 ? { window, kernel } : { kernel });
  const dict = toTorchStateDict(gradients);
  let worst = 0;
  let where = '';
  for (const [key, expected] of Object.entries(fixture.grads)) {
    const ours = dict[key.replace('bias_hh', 'bias_ih')].data; // the fused bias gradient is both biases' gradient
    expected.data.forEach((v, i) => {
      const d = Math.abs(ours[i] - v);
      if (d > worst) [worst, where] = [d, key];
    });
  }
  const expectedLoss = fixture.chunk_losses.reduce((s, v) => s + v, 0);
  console.log(`| ${name} | ${fixture.chunks > 1 ? `truncated, window ${window}` : 'full'} | ${kernel} | ${Math.abs(loss - expectedLoss).toExponential(2)} | ${worst.toExponential(2)} (${where}) |`);
}
