import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importSafetensors } from '../../src/interop/safetensors/import-safetensors.ts';
import { readSafetensors } from '../../src/interop/safetensors/read-safetensors.ts';
import { loadTorchFixture, maxAbsDiff, rowOf, type FixtureTensor } from '../helpers/fixtures.ts';

// Must-show 1 (safetensors half): the state dict PyTorch saved with
// safetensors.torch.save_file reproduces lm_lstm_bptt.json's logits.
const TOLERANCE = 1e-5;

interface LanguageModelFixture {
  params: Record<string, FixtureTensor>;
  inputs: number[];
  logits: FixtureTensor;
}

const bytes = new Uint8Array(readFileSync(new URL('../fixtures/torch/lm_lstm.safetensors', import.meta.url)));
const fixture = loadTorchFixture<LanguageModelFixture>('lm_lstm_bptt');

describe('lm_lstm.safetensors (safetensors.torch.save_file)', () => {
  it('holds the fixture params rounded to f32, by name', () => {
    const { tensors, metadata } = readSafetensors(bytes);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(fixture.params).sort());
    for (const [name, param] of Object.entries(fixture.params)) {
      expect(tensors[name].dtype).toBe('F32');
      expect(tensors[name].shape).toEqual(param.shape);
      expect(maxAbsDiff(tensors[name].data, Float32Array.from(param.data))).toBe(0);
    }
    expect(metadata.format).toBe('pt');
  });

  it('converts to a model whose logits match lm_lstm_bptt.json within 1e-5 at every step', () => {
    const model = importSafetensors(bytes);
    expect(model.architecture).toMatchObject({ cell: 'lstm', input: 'embedding', vocabSize: 11, inputSize: 6, hiddenSize: 8, numLayers: 2, head: 'softmax', outputSize: 11 });
    const session = model.session();
    let worst = 0;
    fixture.inputs.forEach((token, t) => {
      worst = Math.max(worst, maxAbsDiff(session.step(token), rowOf(fixture.logits, t)));
    });
    console.log(`lm_lstm.safetensors: max |logits - torch| over ${fixture.inputs.length} steps = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(TOLERANCE);
    expect(Math.max(...fixture.logits.data.map(Math.abs))).toBeGreaterThan(0.1);
  });
});
