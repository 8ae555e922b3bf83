import { F32Matrix } from '../math/f32-matrix.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { createCell } from '../model/build-layer.ts';
import { Model } from '../model/model.ts';
import { decodeModel } from './decode-model.ts';
import { encodeModel, type EncodeOptions } from './encode-model.ts';
import { quantizeMatrix, quantizeMatrixQ4 } from './quantize-matrix.ts';

/**
 * The model a file of the given storage type would load to, without a file:
 * q8 matrices become Q8Matrix (int8 + scales), q4 ones Q4Matrix (packed
 * nibbles + scales), f16 matrices are rounded to
 * f16 and held as f32, f32 matrices are f32. Biases stay f32, a tied head
 * stays tied, vocabulary, tokenizer and metadata are kept. Equal, value for
 * value, to decodeModel(encodeModel(model, options)). Cold path: allocates the new weights.
 */
export function quantizeModel(model: Model, options: EncodeOptions & { readonly dtype: NonNullable<EncodeOptions['dtype']> }): Model {
  if (options.dtype === 'f16') return decodeModel(encodeModel(model, options));
  const converted = new Map<WeightMatrix, WeightMatrix>();
  const convert = (matrix: WeightMatrix): WeightMatrix => {
    let result = converted.get(matrix);
    if (result === undefined) {
      result =
        options.dtype === 'f32'
          ? new F32Matrix(matrix.rows, matrix.cols, matrix.toFloat32())
          : options.dtype === 'q4'
            ? quantizeMatrixQ4(matrix, options.blockSize)
            : quantizeMatrix(matrix, options.blockSize);
      converted.set(matrix, result);
    }
    return result;
  };
  return new Model({
    embedding: model.embedding === null ? null : convert(model.embedding),
    layers: model.layers.map((layer) =>
      createCell(layer.kind, layer.inputSize, layer.hiddenSize, convert(layer.weight), layer.bias.slice(), { gateActivation: layer.gateActivation }),
    ),
    head: model.head === null ? null : { kind: model.head.kind, weight: convert(model.head.weight), bias: model.head.bias.slice() },
    vocabulary: model.vocabulary,
    tokenizer: model.tokenizer,
    metadata: model.metadata,
  });
}
