import { describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode, fromTorchStateDict, type TorchTensor } from '../../src/index.ts';
import { loadTorchFixture, type FixtureTensor } from '../helpers/fixtures.ts';

const lm = loadTorchFixture<{ params: Record<string, FixtureTensor> }>('lm_lstm_bptt').params;
const rnn = loadTorchFixture<{ params: Record<string, FixtureTensor> }>('rnn_tanh').params;

function configErrorOf(tensors: Record<string, TorchTensor>, options?: Parameters<typeof fromTorchStateDict>[1]): ConfigError {
  try {
    fromTorchStateDict(tensors, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function without(name: string): Record<string, TorchTensor> {
  const copy: Record<string, TorchTensor> = { ...lm };
  delete copy[name];
  return copy;
}

describe('fromTorchStateDict errors', () => {
  it('names a missing weight', () => {
    const error = configErrorOf(without('rnn.weight_hh_l1'));
    expect(error.code).toBe(ErrorCode.MISSING_TENSOR);
    expect(error.message).toBe('state dict has no tensor rnn.weight_hh_l1');
    expect(configErrorOf(without('rnn.weight_ih_l0')).code).toBe(ErrorCode.MISSING_TENSOR);
    expect(configErrorOf({}).message).toBe('state dict has no tensor weight_ih_l0');
  });

  it('names a mis-shaped tensor with both shapes', () => {
    const error = configErrorOf({ ...lm, 'rnn.weight_ih_l1': { shape: [32, 7], data: new Array(224).fill(0) } });
    expect(error.code).toBe(ErrorCode.TENSOR_SHAPE_MISMATCH);
    expect(error.message).toBe('tensor rnn.weight_ih_l1 has shape [32,7], expected [32,8]');
    expect(configErrorOf({ ...lm, 'out.bias': { shape: [10], data: new Array(10).fill(0) } }).message).toBe(
      'tensor out.bias has shape [10], expected [11]',
    );
    expect(configErrorOf({ ...lm, 'out.weight': { shape: [11, 7], data: new Array(77).fill(0) } }).code).toBe(
      ErrorCode.TENSOR_SHAPE_MISMATCH,
    );
    // Embedding width must match the first layer's input width.
    expect(configErrorOf({ ...lm, 'emb.weight': { shape: [11, 5], data: new Array(55).fill(0) } }).message).toBe(
      'tensor rnn.weight_ih_l0 has shape [32,6], expected [32,5]',
    );
  });

  it('rejects data whose length disagrees with the shape', () => {
    const error = configErrorOf({ ...lm, 'out.bias': { shape: [11], data: new Array(10).fill(0) } });
    expect(error.code).toBe(ErrorCode.TENSOR_DATA_LENGTH);
    expect(error.message).toBe('tensor out.bias has shape [11] (11 elements) but 10 data elements');
  });

  it('rejects NaN and Infinity, naming the element', () => {
    const data = lm['rnn.bias_hh_l0'].data.slice();
    data[5] = NaN;
    const error = configErrorOf({ ...lm, 'rnn.bias_hh_l0': { shape: [32], data } });
    expect(error.code).toBe(ErrorCode.WEIGHT_NOT_FINITE);
    expect(error.message).toBe('tensor rnn.bias_hh_l0 has NaN at element 5');
  });

  it('rejects tensors it would not use, such as a reverse direction', () => {
    const error = configErrorOf({ ...rnn, weight_ih_l0_reverse: rnn.weight_ih_l0 });
    expect(error.code).toBe(ErrorCode.UNEXPECTED_TENSOR);
    expect(error.message).toContain('weight_ih_l0_reverse');
  });

  it('rejects a cell kind that disagrees with the shapes', () => {
    const error = configErrorOf(rnn, { cell: 'lstm' });
    expect(error.code).toBe(ErrorCode.TENSOR_SHAPE_MISMATCH);
    expect(error.message).toContain('expected [24, 6] for lstm');
  });

  it('rejects a tensor that is not { shape, data }', () => {
    const error = configErrorOf({ ...lm, 'out.bias': { shape: [11] } as unknown as TorchTensor });
    expect(error.code).toBe(ErrorCode.TENSOR_SHAPE_MISMATCH);
    expect(error.message).toBe('tensor out.bias is not { shape: number[], data: ArrayLike<number> }');
  });

  it('accepts a stack without biases (nn.LSTM(bias=False)) as zero bias', () => {
    const noBias: Record<string, TorchTensor> = { weight_ih_l0: rnn.weight_ih_l0, weight_hh_l0: rnn.weight_hh_l0 };
    const model = fromTorchStateDict(noBias);
    expect(Array.from(model.layers[0].bias).every((v) => v === 0)).toBe(true);
  });
});
