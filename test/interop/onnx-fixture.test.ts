import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import { loadTorchFixture, maxAbsDiff, rowOf, type FixtureTensor } from '../helpers/fixtures.ts';

// Must-show 1 (ONNX half): PyTorch's own ONNX export of a 2-layer LSTM stack,
// imported and run step by step, reproduces the outputs PyTorch computed.
const TOLERANCE = 1e-5;

interface OnnxIo {
  x: FixtureTensor;
  y: FixtureTensor;
  h_n: FixtureTensor;
  c_n: FixtureTensor;
}

function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../fixtures/torch/${name}`, import.meta.url)));
}

describe('lstm_stack.onnx (torch.onnx.export, opset 17)', () => {
  const io = loadTorchFixture<OnnxIo>('lstm_stack_onnx_io');

  it('imports as a 2-layer dense LSTM stack without a head', () => {
    const model = importOnnx(fixtureBytes('lstm_stack.onnx'));
    expect(model.architecture).toEqual({
      cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 6, hiddenSize: 8, numLayers: 2, head: 'none', outputSize: 0,
    });
  });

  it('reproduces y, h_n and c_n within 1e-5 from a zero state', () => {
    const model = importOnnx(fixtureBytes('lstm_stack.onnx'));
    const session = model.session();
    const steps = io.x.shape[0];
    let worst = 0;
    for (let t = 0; t < steps; t++) worst = Math.max(worst, maxAbsDiff(session.step(rowOf(io.x, t)), rowOf(io.y, t)));
    const worstState = Math.max(maxAbsDiff(session.h, io.h_n.data), maxAbsDiff(session.c!, io.c_n.data));
    console.log(`lstm_stack.onnx: max |y - torch| = ${worst.toExponential(2)}, max |state - torch| = ${worstState.toExponential(2)}`);
    expect(worst).toBeLessThan(TOLERANCE);
    expect(worstState).toBeLessThan(TOLERANCE);
    // The reference is not trivially small: a wrong gate order misses it by far more than the tolerance.
    expect(Math.max(...io.y.data.map(Math.abs))).toBeGreaterThan(0.05);
  });
});
