import { describe, expect, it } from 'vitest';
import { ConfigError, createRandomModel, ErrorCode, fromTorchStateDict, GruCell, toTorchStateDict, type Architecture } from '../../src/index.ts';
import { exportSafetensors, importSafetensors } from '../../src/interop/index.ts';
import { exportOnnx } from '../../src/interop/onnx/export-onnx.ts';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import { inputsOf, runSession, worstStep } from '../helpers/gru-cases.ts';

// nn.GRU's names and layout (gate order r, z, n; weight_ih_l{k} [3H × I],
// weight_hh_l{k} [3H × H], bias_ih_l{k} and bias_hh_l{k} [3H] each) in and out.
const LM: Architecture = { cell: 'gru', input: 'embedding', vocabSize: 17, inputSize: 5, hiddenSize: 7, numLayers: 2, head: 'softmax', outputSize: 17 };

describe('GRU state dicts', () => {
  it("toTorchStateDict writes nn.GRU's tensors, and fromTorchStateDict reads them back as a gru model computing the same bits", () => {
    const model = createRandomModel(LM, { seed: 8 });
    const dict = toTorchStateDict(model);
    expect(Object.fromEntries(Object.entries(dict).map(([name, t]) => [name, t.shape]))).toEqual({
      'emb.weight': [17, 5],
      'rnn.weight_ih_l0': [21, 5],
      'rnn.weight_hh_l0': [21, 7],
      'rnn.bias_ih_l0': [21],
      'rnn.bias_hh_l0': [21],
      'rnn.weight_ih_l1': [21, 7],
      'rnn.weight_hh_l1': [21, 7],
      'rnn.bias_ih_l1': [21],
      'rnn.bias_hh_l1': [21],
      'out.weight': [17, 7],
      'out.bias': [17],
    });
    // b_hh is kept, not folded into b_ih: its n part is multiplied by r.
    expect(Array.from(dict['rnn.bias_hh_l0'].data)).toEqual(Array.from(model.layers[0].bias.subarray(21)));
    const back = fromTorchStateDict(dict); // 3H rows: a GRU, PyTorch's variant
    expect(back.architecture).toEqual(model.architecture);
    expect(back.layers[0]).toBeInstanceOf(GruCell);
    const inputs = inputsOf(model, 3, 50);
    expect(worstStep(runSession(back, inputs, 'typescript').outputs, runSession(model, inputs, 'typescript').outputs)).toBe(0);
  });

  it('a bare nn.GRU state dict without biases (bias=False) loads with zero biases; cell gru-reset-before reads the same names', () => {
    const model = createRandomModel({ ...LM, input: 'dense', vocabSize: 0, head: 'none', outputSize: 0, numLayers: 1 }, { seed: 1 });
    const dict = toTorchStateDict(model);
    const bare = { weight_ih_l0: dict.weight_ih_l0, weight_hh_l0: dict.weight_hh_l0 };
    const noBias = fromTorchStateDict(bare);
    expect(noBias.architecture.cell).toBe('gru');
    expect(Array.from(noBias.layers[0].bias)).toEqual(new Array(42).fill(0));
    expect(fromTorchStateDict(dict, { cell: 'gru-reset-before' }).architecture.cell).toBe('gru-reset-before');
  });

  it('a gru-reset-before model is refused by toTorchStateDict (nn.GRU cannot compute it); ONNX carries it (linear_before_reset=0)', () => {
    const model = createRandomModel({ ...LM, cell: 'gru-reset-before' }, { seed: 2 });
    expect(() => toTorchStateDict(model)).toThrow(ConfigError);
    expect(() => toTorchStateDict(model)).toThrow(/no nn\.GRU equivalent/);
    // As a transport back into fromTorchStateDict (the trainer's worker threads) it may go, said explicitly.
    const back = fromTorchStateDict(toTorchStateDict(model, { transport: true }), { cell: 'gru-reset-before' });
    const inputs = inputsOf(model, 7, 30);
    expect(worstStep(runSession(back, inputs, 'typescript').outputs, runSession(model, inputs, 'typescript').outputs)).toBe(0);
    expect(importOnnx(exportOnnx(model)).architecture).toEqual(model.architecture);
  });

  it('a wrong-shaped GRU tensor is refused naming it', () => {
    const dict = toTorchStateDict(createRandomModel(LM, { seed: 4 }));
    const bad = { ...dict, 'rnn.bias_hh_l1': { shape: [14], data: new Float32Array(14) } };
    expect(() => fromTorchStateDict(bad)).toThrow(/rnn\.bias_hh_l1 has shape \[14\], expected \[21\]/);
  });

  it('a GRU language model goes through a safetensors file and back', () => {
    const model = createRandomModel(LM, { seed: 6 });
    const back = importSafetensors(exportSafetensors(model));
    expect(back.architecture).toEqual(model.architecture);
    const inputs = inputsOf(model, 5, 40);
    expect(worstStep(runSession(back, inputs, 'typescript').outputs, runSession(model, inputs, 'typescript').outputs)).toBe(0);
  });
});
