import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { createRandomModel } from '../../src/model/random-model.ts';
import { InteropError } from '../../src/interop/errors.ts';
import { EXTRA_KEYS } from '../../src/interop/model-extras.ts';
import { encodeOnnx } from '../../src/interop/onnx/encode-onnx.ts';
import { exportOnnx, toOnnxModel } from '../../src/interop/onnx/export-onnx.ts';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import { importSafetensors } from '../../src/interop/safetensors/import-safetensors.ts';
import { encodeSafetensors, exportSafetensors } from '../../src/interop/safetensors/write-safetensors.ts';
import { toTorchStateDict } from '../../src/model/torch-state-dict.ts';

// A text model keeps its vocabulary, tokenizer and metadata through ONNX and safetensors.
const vocabulary = ['<unk>', 'the', 'cat', 'sat', 'on', 'mat'];
const model = createRandomModel(
  { cell: 'lstm', input: 'embedding', vocabSize: 6, inputSize: 4, hiddenSize: 5, numLayers: 1, head: 'softmax', outputSize: 6 },
  { seed: 3, extras: { vocabulary, tokenizer: { kind: 'word', unknownToken: '<unk>', lowercase: true }, metadata: { corpus: 'toy', epochs: 2 } } },
);

describe('vocabulary, tokenizer and metadata in other tools\' files', () => {
  it.each([
    ['ONNX metadata_props', () => importOnnx(exportOnnx(model))],
    ['safetensors __metadata__', () => importSafetensors(exportSafetensors(model))],
  ])('%s round trip', (_name, roundTrip) => {
    const back = roundTrip();
    expect(back.vocabulary).toEqual(vocabulary);
    expect(back.tokenizer).toEqual({ kind: 'word', unknownToken: '<unk>', lowercase: true });
    expect(back.metadata).toEqual({ corpus: 'toy', epochs: 2 });
  });

  it('a vocabulary that is not JSON, or does not fit the model, is a typed error naming the key', () => {
    const onnx = toOnnxModel(model);
    onnx.metadataProps = [{ key: EXTRA_KEYS.vocabulary, value: '["a", ' }];
    expect(() => importOnnx(encodeOnnx(onnx))).toThrow(expect.objectContaining({ code: ErrorCode.ONNX_INVALID, message: 'ONNX metadata_props lstm_stream.vocabulary is not valid JSON' }));
    const file = encodeSafetensors(toTorchStateDict(model), { metadata: { [EXTRA_KEYS.vocabulary]: '["a", "b"]' } });
    let error: unknown;
    try {
      importSafetensors(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InteropError);
    expect((error as InteropError).code).toBe(ErrorCode.INVALID_CONFIG);
    expect((error as InteropError).message).toMatch(/vocabulary has 2 entries, expected 6/);
  });
});
