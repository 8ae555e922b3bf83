import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { createRandomModel } from '../../src/model/random-model.ts';
import { toTorchStateDict } from '../../src/model/torch-state-dict.ts';
import type { Model } from '../../src/model/model.ts';
import { InteropError } from '../../src/interop/errors.ts';
import { importSafetensors } from '../../src/interop/safetensors/import-safetensors.ts';
import { parseSafetensors, readSafetensors } from '../../src/interop/safetensors/read-safetensors.ts';
import { mapTorchKeys } from '../../src/interop/safetensors/torch-key-map.ts';
import { encodeSafetensors, exportSafetensors } from '../../src/interop/safetensors/write-safetensors.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';

const lm = { cell: 'lstm', input: 'embedding', vocabSize: 7, inputSize: 3, hiddenSize: 4, numLayers: 2, head: 'softmax', outputSize: 7 } as const;
const tokens = [3, 1, 6, 0, 2];

function logitsOf(model: Model): Float32Array {
  const session = model.session();
  return Float32Array.from(tokens.flatMap((t) => [...session.step(t)]));
}

/** A safetensors file from a header object and data bytes, as the format lays it out. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function errorOf(read: () => unknown): InteropError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(InteropError);
    return error as InteropError;
  }
  throw new Error('expected an InteropError');
}

describe('safetensors dtypes', () => {
  it('reads F16 and BF16 bit patterns as their values', () => {
    // F16: 1.0, -2.0, 65504 (largest), 2^-24 (smallest subnormal). BF16: 1.0, -2.0, 3.140625 (0x4049), about 1e38 (0x7e96).
    const f16 = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001]);
    const bf16 = Uint16Array.from([0x3f80, 0xc000, 0x4049, 0x7e96]);
    const data = new Uint8Array(16);
    data.set(new Uint8Array(f16.buffer), 0);
    data.set(new Uint8Array(bf16.buffer), 8);
    const file = rawFile({ a: { dtype: 'F16', shape: [4], data_offsets: [0, 8] }, b: { dtype: 'BF16', shape: [2, 2], data_offsets: [8, 16] } }, data);
    const { tensors } = readSafetensors(file);
    expect(Array.from(tensors.a.data)).toEqual([1, -2, 65504, 2 ** -24]);
    expect(tensors.b.shape).toEqual([2, 2]);
    const top = new Float32Array(new Uint32Array([0x7e960000]).buffer)[0]; // bf16 is the f32 with these top 16 bits
    expect(Array.from(tensors.b.data)).toEqual([1, -2, 3.140625, top]);
  });

  it.each(['F32', 'F16', 'BF16'] as const)('a model written as %s reads back within that type\'s rounding', (dtype) => {
    const model = createRandomModel(lm, { seed: 4 });
    const back = importSafetensors(exportSafetensors(model, { dtype }));
    expect(back.architecture).toEqual(model.architecture);
    const tolerance = { F32: 0, F16: 2e-3, BF16: 2e-2 }[dtype];
    expect(maxAbsDiff(logitsOf(back), logitsOf(model))).toBeLessThanOrEqual(tolerance);
    expect(readSafetensors(exportSafetensors(model, { dtype })).tensors['rnn.weight_hh_l1'].dtype).toBe(dtype);
  });

  it('writes a header padded to 8 bytes and metadata strings', () => {
    const file = encodeSafetensors({ w: { shape: [1], data: [1] } }, { metadata: { note: 'x' } });
    const length = new DataView(file.buffer).getUint32(0, true);
    expect(length % 8).toBe(0);
    expect(parseSafetensors(file).metadata.note).toBe('x');
  });

  it('refuses integer tensors it would have to use, naming them', () => {
    const file = rawFile({ steps: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
    const error = errorOf(() => readSafetensors(file));
    expect(error.code).toBe(ErrorCode.TENSOR_DTYPE_UNSUPPORTED);
    expect(error.message).toMatch(/tensor "steps" is I64/);
  });
});

describe('key mapping', () => {
  const model = createRandomModel(lm, { seed: 6 });
  const reference = logitsOf(model);
  const ours = toTorchStateDict(model);
  const renamed = (rename: (name: string) => string) => {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, tensor] of Object.entries(ours)) out[rename(name)] = tensor;
    return out;
  };

  it("reads PyTorch's word_language_model names (encoder, rnn, decoder) by default", () => {
    const file = encodeSafetensors(renamed((n) => n.replace('emb.', 'encoder.').replace('out.', 'decoder.')));
    expect(maxAbsDiff(logitsOf(importSafetensors(file)), reference)).toBe(0);
  });

  it('reads lstm.* and DistributedDataParallel / torch.compile prefixes by default', () => {
    const file = encodeSafetensors(renamed((n) => `module._orig_mod.${n.replace('rnn.', 'lstm.').replace('emb.', 'embedding.').replace('out.', 'fc.')}`));
    expect(maxAbsDiff(logitsOf(importSafetensors(file)), reference)).toBe(0);
  });

  it('takes a map or a function, and drops what maps to null', () => {
    const withExtra = { ...renamed((n) => n.replace('out.', 'project.')), 'norm.steps': { shape: [1], data: new Float32Array(1) } };
    const file = encodeSafetensors(withExtra);
    expect(errorOf(() => importSafetensors(file)).code).toBe(ErrorCode.UNEXPECTED_TENSOR);
    const byMap = importSafetensors(file, { keyMap: { 'project.weight': 'out.weight', 'project.bias': 'out.bias', 'norm.steps': null } });
    expect(maxAbsDiff(logitsOf(byMap), reference)).toBe(0);
    const byFunction = importSafetensors(file, { keyMap: (name) => (name === 'norm.steps' ? null : name.startsWith('project.') ? name.replace('project.', 'out.') : undefined) });
    expect(maxAbsDiff(logitsOf(byFunction), reference)).toBe(0);
  });

  it('ties a head whose weight was stored once, as the embedding (safetensors save_model)', () => {
    const tied = createRandomModel({ ...lm, inputSize: 4 }, { seed: 2 });
    const dict = toTorchStateDict(tied);
    dict['out.weight'] = dict['emb.weight'];
    const full = importSafetensors(encodeSafetensors(dict));
    delete (dict as Record<string, unknown>)['out.weight'];
    const shared = importSafetensors(encodeSafetensors(dict));
    expect(shared.head!.weight.toFloat32()).toEqual(shared.embedding!.toFloat32());
    expect(maxAbsDiff(logitsOf(shared), logitsOf(full))).toBe(0);
  });

  it('refuses two recurrent modules and two names for one tensor', () => {
    expect(() => mapTorchKeys(['lstm.weight_ih_l0', 'rnn2.weight_hh_l0'])).toThrow(expect.objectContaining({ code: ErrorCode.UNEXPECTED_TENSOR }));
    expect(() => mapTorchKeys(['encoder.weight', 'embedding.weight'])).toThrow(
      expect.objectContaining({ code: ErrorCode.DUPLICATE_TENSOR, message: expect.stringMatching(/"encoder.weight" and "embedding.weight" both map to emb.weight/) }),
    );
  });

  it('names the file tensor and the mapping when the state dict is wrong', () => {
    const dict = renamed((n) => n.replace('rnn.', 'lstm.'));
    dict['lstm.weight_hh_l1'] = { shape: [16, 3], data: new Float32Array(48) };
    const error = errorOf(() => importSafetensors(encodeSafetensors(dict)));
    expect(error.code).toBe(ErrorCode.TENSOR_SHAPE_MISMATCH);
    expect(error.message).toMatch(/rnn.weight_hh_l1 has shape \[16,3\]/);
    expect(error.message).toMatch(/lstm.weight_hh_l1 → rnn.weight_hh_l1/);
  });
});

describe('damaged safetensors files', () => {
  const cases: [string, Uint8Array, string, RegExp][] = [
    ['shorter than the length field', Uint8Array.from([1, 2, 3]), ErrorCode.TRUNCATED, /needs at least the 8-byte header length/],
    ['a header past the end', Uint8Array.from([100, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]), ErrorCode.TRUNCATED, /header length is 100 bytes, but only 2/],
    ['a header over the limit', Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0]), ErrorCode.LIMIT_EXCEEDED, /4294967296 bytes, over the maxHeaderBytes/],
    ['a header that is not JSON', rawFile('x').map((b, i) => (i === 8 ? 0x7b : b)), ErrorCode.SAFETENSORS_INVALID, /not valid UTF-8 JSON/],
    ['a header that is an array', rawFile([]), ErrorCode.SAFETENSORS_INVALID, /not a JSON object/],
    ['an unknown dtype', rawFile({ w: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), ErrorCode.SAFETENSORS_INVALID, /tensor "w": dtype "F33"/],
    ['a negative dimension', rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), ErrorCode.SAFETENSORS_INVALID, /shape \[-1\]/],
    ['offsets past the data', rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)), ErrorCode.SAFETENSORS_INVALID, /outside the 4 data bytes/],
    ['offsets that disagree with the shape', rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), ErrorCode.SAFETENSORS_INVALID, /needs 8 bytes, but data_offsets \[0, 4\] hold 4/],
    [
      'overlapping tensors',
      rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
      ErrorCode.SAFETENSORS_INVALID,
      /"b" overlaps/,
    ],
    ['a gap', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), ErrorCode.SAFETENSORS_INVALID, /gap of 4 bytes before tensor "a"/],
    ['trailing bytes', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)), ErrorCode.SAFETENSORS_INVALID, /4 bytes after the last tensor/],
    ['non-string metadata', rawFile({ __metadata__: { n: 1 } }), ErrorCode.SAFETENSORS_INVALID, /__metadata__ entry "n"/],
    ['a __proto__ tensor', rawFile(JSON.parse('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}'), new Uint8Array(4)), ErrorCode.MISSING_TENSOR, /no tensor weight_ih_l0/],
  ];
  it.each(cases)('%s', (_name, bytes, code, message) => {
    const error = errorOf(() => importSafetensors(bytes, { maxHeaderBytes: 1 << 20 }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('a NaN weight names the tensor and element', () => {
    const model = createRandomModel(lm, { seed: 1 });
    const dict = toTorchStateDict(model);
    dict['rnn.weight_ih_l1'].data[5] = NaN;
    const error = errorOf(() => importSafetensors(encodeSafetensors(dict)));
    expect(error.code).toBe(ErrorCode.WEIGHT_NOT_FINITE);
    expect(error.message).toMatch(/rnn.weight_ih_l1 has NaN at element 5/);
  });
});
