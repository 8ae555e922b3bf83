import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createRandomModel,
  decodeModel,
  encodeModel,
  ErrorCode,
  FormatError,
  FORMAT_VERSION,
  readModelFile,
  type Architecture,
  type Model,
} from '../../src/index.ts';
import { modelFingerprint } from '../../src/adapt/index.ts';
import { documentOf, seal } from './model-file-helpers.ts';

// Issue 16, item 3, in the model file (docs/FORMAT.md, version 4): a stack
// whose layers differ in kind and size stores each layer's cell and
// hiddenSize in architecture.layers; writers give it version 4 and every
// other model the version it had, byte for byte; the reader refuses the new
// fields under an older version number, bounds them, and an old reader
// refuses the file by its version.
const MIXED: Architecture = {
  cell: 'lstm', input: 'embedding', vocabSize: 29, inputSize: 6, hiddenSize: 24, numLayers: 3, head: 'softmax', outputSize: 29,
  layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'hard-sigmoid', cell: 'gru-reset-before', hiddenSize: 16 }, { gateActivation: 'sigmoid', cell: 'rnn-tanh', hiddenSize: 11 }],
};

function mixedModel(seed = 4): Model {
  return createRandomModel(MIXED, { seed });
}

function formatErrorOf(read: () => unknown): FormatError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}

function outputsOf(model: Model, steps = 50): Float32Array[] {
  const session = model.session();
  return Array.from({ length: steps }, (_, t) => session.step((t * 7) % model.architecture.vocabSize).slice());
}

describe('mixed stacks in the model file', () => {
  it('are written as version 4 with each layer\'s kind and size, and load back computing the same bits', () => {
    const model = mixedModel();
    const bytes = encodeModel(model);
    const document = documentOf(bytes);
    expect(FORMAT_VERSION).toBe(4);
    expect(document.version).toBe(4);
    // Layer 0's kind and size are the top level's; the others say their own.
    expect(document.architecture.layers).toEqual([
      { gateActivation: 'sigmoid' },
      { gateActivation: 'hard-sigmoid', cell: 'gru-reset-before', hiddenSize: 16 },
      { gateActivation: 'sigmoid', cell: 'rnn-tanh', hiddenSize: 11 },
    ]);
    const file = readModelFile(bytes);
    expect(file.tensors.map((t) => [t.name, t.shape])).toEqual([
      ['embedding', [29, 6]],
      ['layers.0.weight', [96, 30]],
      ['layers.0.bias', [96]],
      ['layers.1.weight', [48, 40]],
      ['layers.1.bias', [96]],
      ['layers.2.weight', [11, 27]],
      ['layers.2.bias', [11]],
      ['head.weight', [29, 11]],
      ['head.bias', [29]],
    ]);
    const back = decodeModel(bytes);
    expect(back.architecture).toEqual(model.architecture);
    expect(back.layers.map((layer) => [layer.kind, layer.hiddenSize, layer.gateActivation])).toEqual(model.layers.map((layer) => [layer.kind, layer.hiddenSize, layer.gateActivation]));
    const expected = outputsOf(model);
    outputsOf(back).forEach((row, t) => expect(row).toEqual(expected[t]));
    expect(encodeModel(back)).toEqual(bytes);
    // Quantized storage keeps the per-layer shapes.
    for (const dtype of ['f16', 'q8', 'q4'] as const) expect(decodeModel(encodeModel(model, { dtype })).architecture).toEqual(model.architecture);
  });

  it('leaves every other model at its old version and bytes: the golden files re-encode unchanged', () => {
    for (const name of ['lm_lstm.f32.msgpack', 'lm_lstm.q8.msgpack', 'lm_lstm.q4.msgpack', 'tied.q8.msgpack']) {
      const bytes = new Uint8Array(readFileSync(new URL(`../golden/${name}`, import.meta.url)));
      const model = decodeModel(bytes);
      expect(model.architecture.layers).toBeUndefined();
      expect(readModelFile(bytes).version).toBe(1);
      expect(Buffer.from(encodeModel(model)).equals(Buffer.from(bytes)), name).toBe(true);
    }
    const plain = { cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 5, numLayers: 2, head: 'none', outputSize: 0 } as const;
    expect(documentOf(encodeModel(createRandomModel(plain))).version).toBe(2);
    const hard = createRandomModel({ ...plain, layers: [{ gateActivation: 'hard-sigmoid' }, { gateActivation: 'sigmoid' }] });
    const hardDocument = documentOf(encodeModel(hard));
    expect(hardDocument.version).toBe(3);
    expect(hardDocument.architecture.layers).toEqual([{ gateActivation: 'hard-sigmoid' }, { gateActivation: 'sigmoid' }]);
  });

  it('a mixed file that says version 3 is refused, naming the field version 4 added', () => {
    const document = documentOf(encodeModel(mixedModel()));
    document.version = 3;
    const error = formatErrorOf(() => decodeModel(seal(document)));
    expect(error.code).toBe(ErrorCode.INVALID_FIELD);
    expect(error.message).toMatch(/architecture\.layers\[1\]\.cell \(a layer's own kind or size\) needs format version 4; this file says version 3/);
    // Only a size of its own is version 4 too.
    const sized = documentOf(encodeModel(mixedModel()));
    sized.version = 3;
    delete sized.architecture.layers[1].cell;
    delete sized.architecture.layers[2].cell;
    expect(formatErrorOf(() => decodeModel(seal(sized))).message).toMatch(/architecture\.layers\[1\]\.hiddenSize .*needs format version 4/);
  });

  it('an old reader refuses a version-4 file by its version (UNSUPPORTED_VERSION), as this one refuses 5', () => {
    // A version-3 reader's list is [1, 2, 3]: the version is the second entry of the
    // map and checked before anything else, so it meets 4 exactly as this reader meets 5.
    const document = documentOf(encodeModel(mixedModel()));
    expect(Object.keys(document).slice(0, 2)).toEqual(['format', 'version']);
    document.version = 5;
    const error = formatErrorOf(() => decodeModel(seal(document)));
    expect(error.code).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(error.message).toBe('version is 5; this reader supports versions 1, 2, 3 and 4');
  });

  it('bad per-layer fields get FormatError naming the field', () => {
    const edited = (edit: (d: Record<string, any>) => void): FormatError => {
      const document = documentOf(encodeModel(mixedModel()));
      edit(document);
      return formatErrorOf(() => decodeModel(seal(document)));
    };
    const cases: [string, (d: Record<string, any>) => void, string, RegExp][] = [
      ['an unknown kind', (d) => (d.architecture.layers[1].cell = 'transformer'), ErrorCode.INVALID_FIELD, /architecture\.layers\[1\]\.cell is "transformer"; expected one of lstm/],
      ['a kind that is not a string', (d) => (d.architecture.layers[2].cell = 7), ErrorCode.INVALID_FIELD, /architecture\.layers\[2\]\.cell is 7/],
      ['a size of 0', (d) => (d.architecture.layers[1].hiddenSize = 0), ErrorCode.INVALID_FIELD, /architecture\.layers\[1\]\.hiddenSize is 0; expected a positive integer/],
      ['a fractional size', (d) => (d.architecture.layers[2].hiddenSize = 2.5), ErrorCode.INVALID_FIELD, /architecture\.layers\[2\]\.hiddenSize is 2\.5/],
      ['a size as text', (d) => (d.architecture.layers[2].hiddenSize = '11'), ErrorCode.INVALID_FIELD, /architecture\.layers\[2\]\.hiddenSize is 11; expected a positive integer/],
      ['a huge size', (d) => (d.architecture.layers[1].hiddenSize = 2 ** 40), ErrorCode.LIMIT_EXCEEDED, /architecture\.layers\[1\]\.hiddenSize is 1099511627776: its weight would have .* elements, over the maxTensorElements limit/],
      ['layer 0 saying another kind', (d) => (d.architecture.layers[0].cell = 'gru'), ErrorCode.INVALID_FIELD, /architecture\.layers\[0\]\.cell is "gru", but architecture\.cell \(layer 0\) is "lstm"/],
      ['a hard-sigmoid Elman layer', (d) => (d.architecture.layers[2].gateActivation = 'hard-sigmoid'), ErrorCode.INVALID_FIELD, /layers\[2\]\.gateActivation is "hard-sigmoid", but a rnn-tanh layer has no gates/],
      ['a size that disagrees with the tensors', (d) => (d.architecture.layers[1].hiddenSize = 15), ErrorCode.TENSOR_SHAPE_MISMATCH, /tensor layers\.1\.weight has shape \[48,40\], expected \[45,39\]/],
      ['a kind that disagrees with the tensors', (d) => (d.architecture.layers[1].cell = 'lstm'), ErrorCode.TENSOR_SHAPE_MISMATCH, /tensor layers\.1\.weight has shape \[48,40\], expected \[64,40\]/],
      ['an unknown layer field', (d) => (d.architecture.layers[1].units = 16), ErrorCode.INVALID_FIELD, /architecture\.layers\[1\] has unknown field "units"/],
    ];
    for (const [name, edit, code, message] of cases) {
      const error = edited(edit);
      expect(error.code, name).toBe(code);
      expect(error.message, name).toMatch(message);
    }
  });

  it('profiles tell mixed stacks apart: the fingerprint covers each layer\'s kind and size', () => {
    const model = mixedModel(8);
    const fingerprint = modelFingerprint(model);
    expect(modelFingerprint(decodeModel(encodeModel(model)))).toBe(fingerprint);
    // The same weights read as the other GRU variant: same shapes, another model.
    const document = documentOf(encodeModel(model));
    document.architecture.layers[1].cell = 'gru';
    expect(modelFingerprint(decodeModel(seal(document)))).not.toBe(fingerprint);
  });
});
