import { biasLengthOf, gateCountOf, type RecurrentCell } from '../cells/cell.ts';
import { ErrorCode, LstmStreamError } from '../errors.ts';
import { F32Matrix } from '../math/f32-matrix.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { Q4Matrix } from '../math/q4-matrix.ts';
import { Q8Matrix } from '../math/q8-matrix.ts';
import { cellOf, describeLayers, gateActivationOf, hiddenSizeOf, isMixedStack, layerInputSizeOf, topHiddenSize } from '../model/architecture.ts';
import { createCell } from '../model/build-layer.ts';
import { Model, type Head } from '../model/model.ts';
import { FormatError } from './errors.ts';
import { TENSOR_NAMES, type FileTensor, type ModelFile } from './model-file.ts';
import { bytesToFloat32, bytesToInt8, float16BytesToFloat32 } from './tensor-bytes.ts';

/**
 * Builds the Model a parsed file describes: matches every tensor to the
 * architecture by name and shape, decodes it (f32 copied, f16 widened to f32,
 * q8 kept as int8 + scales), checks that every weight is finite and every
 * scale positive and finite, and restores a tied head as the very embedding
 * object (q4 stays packed nibbles + scales). Throws FormatError naming the tensor. Cold path: allocates the
 * model's weights once (file bytes are not retained) — except with `int8: 'view'`, for a caller that
 * hands the file's bytes over (loadModel, which read them itself): q8 weights are then views of those
 * bytes, not copies, so the file's buffer is their storage until the WebAssembly kernels adopt their
 * own copy (and the buffer is collected); one copy of the largest tensors fewer while loading.
 */
export function buildModel(file: ModelFile, int8: 'copy' | 'view' = 'copy'): Model {
  const a = file.architecture;
  // "lstm" for a plain stack (the message as before), "lstm:24, gru:16" for a mixed one.
  const stackName = isMixedStack(a) ? `(${describeLayers(a)})` : a.cell;
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const used = new Set<string>();
  const take = (name: string): FileTensor => {
    const tensor = byName.get(name);
    if (tensor === undefined) throw new FormatError(ErrorCode.MISSING_TENSOR, `tensor ${name} is missing (a ${a.numLayers}-layer ${stackName} model with ${a.input} input and ${a.head} head needs it)`);
    used.add(name);
    return tensor;
  };

  const embedding = a.input === 'embedding' ? toMatrix(untied(take(TENSOR_NAMES.embedding)), [a.vocabSize, a.inputSize], int8) : null;
  const layers: RecurrentCell[] = [];
  for (let l = 0; l < a.numLayers; l++) {
    // Each layer has its own kind and size (version 4); its input is the layer below's h.
    const cell = cellOf(a, l);
    const H = hiddenSizeOf(a, l);
    const inputSize = layerInputSizeOf(a, l);
    const weight = toMatrix(untied(take(TENSOR_NAMES.layerWeight(l))), [gateCountOf(cell) * H, inputSize + H], int8);
    const bias = toVector(untied(take(TENSOR_NAMES.layerBias(l))), biasLengthOf(cell, H));
    layers.push(createCell(cell, inputSize, H, weight, bias, { gateActivation: gateActivationOf(a, l) }));
  }
  const H = topHiddenSize(a);
  let head: Head | null = null;
  if (a.head !== 'none') {
    const entry = take(TENSOR_NAMES.headWeight);
    let weight: WeightMatrix;
    if (entry.tiedTo !== null) {
      if (entry.tiedTo !== TENSOR_NAMES.embedding || embedding === null) {
        throw new FormatError(ErrorCode.INVALID_FIELD, `tensor ${entry.name} is tied to ${JSON.stringify(entry.tiedTo)}; only the embedding can be shared with head.weight`);
      }
      if (embedding.rows !== a.outputSize || embedding.cols !== H) {
        throw new FormatError(
          ErrorCode.TENSOR_SHAPE_MISMATCH,
          `tensor ${entry.name} is tied to the embedding [${embedding.rows}, ${embedding.cols}], but the head needs [${a.outputSize}, ${H}]`,
        );
      }
      weight = embedding;
    } else {
      weight = toMatrix(entry, [a.outputSize, H], int8);
    }
    head = { kind: a.head, weight, bias: toVector(untied(take(TENSOR_NAMES.headBias)), a.outputSize) };
  }
  for (const tensor of file.tensors) {
    if (!used.has(tensor.name)) {
      throw new FormatError(ErrorCode.UNEXPECTED_TENSOR, `tensor ${tensor.name} is not part of a ${a.numLayers}-layer ${stackName} model with ${a.input} input and ${a.head} head`);
    }
  }
  try {
    return new Model({ embedding, layers, head, vocabulary: file.vocabulary, tokenizer: file.tokenizer, metadata: file.metadata });
  } catch (error) {
    // Every check above should have caught it first; this keeps the promise
    // that a bad file only ever produces FormatError.
    if (error instanceof LstmStreamError) throw new FormatError(error.code === ErrorCode.INVALID_CONFIG ? ErrorCode.INVALID_FIELD : error.code, error.message, { cause: error });
    throw error;
  }
}

function untied(tensor: FileTensor): FileTensor {
  if (tensor.tiedTo !== null) {
    throw new FormatError(ErrorCode.INVALID_FIELD, `tensor ${tensor.name} is tied to ${tensor.tiedTo}; only head.weight may be tied`);
  }
  return tensor;
}

function expectShape(tensor: FileTensor, shape: readonly number[]): void {
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new FormatError(ErrorCode.TENSOR_SHAPE_MISMATCH, `tensor ${tensor.name} has shape [${tensor.shape}], expected [${shape}]`);
  }
}

function toMatrix(tensor: FileTensor, shape: readonly [number, number], int8: 'copy' | 'view'): WeightMatrix {
  expectShape(tensor, shape);
  const [rows, cols] = shape;
  if (tensor.dtype === 'q8' || tensor.dtype === 'q4') {
    const scales = bytesToFloat32(tensor.scales as Uint8Array);
    const blocksPerRow = Math.ceil(cols / (tensor.blockSize as number));
    for (let i = 0; i < scales.length; i++) {
      const s = scales[i];
      if (!(Number.isFinite(s) && s > 0)) {
        throw new FormatError(
          ErrorCode.SCALE_INVALID,
          `tensor ${tensor.name} has scale ${s} at row ${Math.floor(i / blocksPerRow)}, block ${i % blocksPerRow}; scales must be positive and finite`,
        );
      }
    }
    if (tensor.dtype === 'q4') return new Q4Matrix(rows, cols, tensor.data.slice(), scales, tensor.blockSize as number);
    const data = int8 === 'view' ? new Int8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength) : bytesToInt8(tensor.data);
    return new Q8Matrix(rows, cols, data, scales, tensor.blockSize as number);
  }
  const values = floatValues(tensor);
  checkFinite(tensor, values, cols);
  return new F32Matrix(rows, cols, values);
}

function toVector(tensor: FileTensor, length: number): Float32Array {
  expectShape(tensor, [length]);
  if (tensor.dtype === 'q8' || tensor.dtype === 'q4') {
    throw new FormatError(ErrorCode.INVALID_FIELD, `tensor ${tensor.name} is a vector and cannot be ${tensor.dtype}`);
  }
  const values = floatValues(tensor);
  checkFinite(tensor, values, length);
  return values;
}

function floatValues(tensor: FileTensor): Float32Array {
  return tensor.dtype === 'f16' ? float16BytesToFloat32(tensor.data) : bytesToFloat32(tensor.data);
}

function checkFinite(tensor: FileTensor, values: Float32Array, cols: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const where = tensor.shape.length === 2 ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `element ${i}`;
      throw new FormatError(ErrorCode.WEIGHT_NOT_FINITE, `tensor ${tensor.name} has ${values[i]} at ${where}`);
    }
  }
}
