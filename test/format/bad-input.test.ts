import { encode, ExtData } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { decodeModel, ErrorCode, FormatError, LstmStreamError, readModelFile } from '../../src/index.ts';
import { onNode } from '../helpers/runtime.ts';
import { documentOf, seal, tensorOf, validFile } from './model-file-helpers.ts';

/** Decodes and returns the FormatError it must throw. */
function formatErrorOf(bytes: Uint8Array, options = {}): FormatError {
  try {
    decodeModel(bytes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toBeInstanceOf(LstmStreamError);
    return error as FormatError;
  }
  throw new Error('expected decodeModel to throw');
}

function expectFormatError(bytes: Uint8Array, code: string, mention?: string | RegExp, options = {}): void {
  const error = formatErrorOf(bytes, options);
  expect(error.code, error.message).toBe(code);
  if (mention !== undefined) expect(error.message).toMatch(mention);
}

/** A valid file with one edit to its document, resealed with a correct checksum so the edit itself is what fails. */
function edited(edit: (document: Record<string, any>) => void, dtype: 'f32' | 'f16' | 'q8' | 'q4' = 'f32'): Uint8Array {
  const document = documentOf(validFile(dtype));
  edit(document);
  return seal(document);
}

describe('bad model files get FormatError with a stable code and a message naming what is wrong', () => {
  it('the resealing helper itself produces loadable files', () => {
    expect(decodeModel(edited(() => {})).architecture.hiddenSize).toBe(3);
    expect(seal(documentOf(validFile('q8')))).toEqual(validFile('q8'));
  });

  it('not MessagePack: NOT_MSGPACK', () => {
    expectFormatError(new TextEncoder().encode('hello, world\n'), ErrorCode.NOT_MSGPACK, /not a MessagePack model file/);
    expectFormatError(new TextEncoder().encode('{"format":"lstm-stream"}'), ErrorCode.NOT_MSGPACK);
    expectFormatError(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), ErrorCode.NOT_MSGPACK);
    const bytes = validFile();
    bytes[8] = 0xc1; // the one byte MessagePack never uses, where the value of "format" starts
    expectFormatError(bytes, ErrorCode.NOT_MSGPACK, /byte 0xc1 at offset 8 is never used in MessagePack/);
    expect(() => decodeModel('not bytes' as unknown as Uint8Array)).toThrow(FormatError);
  });

  it('wrong format name, or a MessagePack document that is not a model: WRONG_FORMAT', () => {
    expectFormatError(edited((d) => (d.format = 'onnx')), ErrorCode.WRONG_FORMAT, /format is "onnx"/);
    expectFormatError(encode([1, 2, 3]), ErrorCode.WRONG_FORMAT);
    expectFormatError(encode({ name: 'x', format: 'lstm-stream' }), ErrorCode.WRONG_FORMAT, /first key is "format"/);
  });

  it('unsupported version: UNSUPPORTED_VERSION', () => {
    expectFormatError(edited((d) => (d.version = 5)), ErrorCode.UNSUPPORTED_VERSION, /version is 5; this reader supports versions 1, 2, 3 and 4/);
    expectFormatError(edited((d) => (d.version = 0)), ErrorCode.UNSUPPORTED_VERSION, /version is 0/);
    expectFormatError(edited((d) => (d.version = '1')), ErrorCode.UNSUPPORTED_VERSION, /version is "1"/);
  });

  it('unknown dtype: UNKNOWN_DTYPE naming the tensor', () => {
    expectFormatError(edited((d) => (tensorOf(d, 'layers.1.weight').dtype = 'bf16')), ErrorCode.UNKNOWN_DTYPE, /tensor layers\.1\.weight has dtype "bf16"; this reader knows f32, f16, q8, q4/);
    expectFormatError(edited((d) => delete tensorOf(d, 'head.bias').dtype), ErrorCode.UNKNOWN_DTYPE, /head\.bias/);
  });

  it('missing tensor: MISSING_TENSOR naming it; an extra or repeated one: UNEXPECTED_TENSOR, DUPLICATE_TENSOR', () => {
    expectFormatError(edited((d) => (d.tensors = d.tensors.filter((t: { name: string }) => t.name !== 'layers.1.bias'))), ErrorCode.MISSING_TENSOR, /tensor layers\.1\.bias is missing/);
    expectFormatError(edited((d) => d.tensors.push({ ...tensorOf(d, 'layers.1.bias'), name: 'layers.2.bias' })), ErrorCode.UNEXPECTED_TENSOR, /layers\.2\.bias/);
    expectFormatError(edited((d) => d.tensors.push(tensorOf(d, 'embedding'))), ErrorCode.DUPLICATE_TENSOR, /tensor embedding appears twice/);
  });

  it('shape or length mismatch: TENSOR_SHAPE_MISMATCH, TENSOR_DATA_LENGTH naming the tensor', () => {
    // A consistent tensor of the wrong shape for the architecture.
    expectFormatError(
      edited((d) => {
        const t = tensorOf(d, 'layers.0.bias');
        t.shape = [11];
        t.data = t.data.subarray(0, 44);
      }),
      ErrorCode.TENSOR_SHAPE_MISMATCH,
      /tensor layers\.0\.bias has shape \[11\], expected \[12\]/,
    );
    expectFormatError(edited((d) => (tensorOf(d, 'head.weight').shape = [6, 3, 1])), ErrorCode.TENSOR_SHAPE_MISMATCH, /head\.weight/);
    expectFormatError(edited((d) => (tensorOf(d, 'head.weight').shape = [6, -3])), ErrorCode.TENSOR_SHAPE_MISMATCH, /head\.weight/);
    expectFormatError(edited((d) => (tensorOf(d, 'embedding').data = tensorOf(d, 'embedding').data.subarray(1))), ErrorCode.TENSOR_DATA_LENGTH, /tensor embedding \(f32, shape \[6,4\]\) has 95 data bytes, expected 96/);
    expectFormatError(edited((d) => (tensorOf(d, 'layers.0.weight').scales = new Uint8Array(4)), 'q8'), ErrorCode.TENSOR_DATA_LENGTH, /layers\.0\.weight has 4 scale bytes, expected 48/);
    // q4: [12, 7] packs into 12 rows × 4 bytes.
    expectFormatError(edited((d) => (tensorOf(d, 'layers.0.weight').data = new Uint8Array(42)), 'q4'), ErrorCode.TENSOR_DATA_LENGTH, /tensor layers\.0\.weight \(q4, shape \[12,7\]\) has 42 data bytes, expected 48/);
    expectFormatError(edited((d) => (d.architecture.hiddenSize = 4)), ErrorCode.TENSOR_SHAPE_MISMATCH, /expected \[16,8\]/);
  });

  it('checksum mismatch: CHECKSUM_MISMATCH; no checksum entry at the end: CHECKSUM_MISSING', () => {
    const bytes = validFile();
    bytes[bytes.length - 100] ^= 0x01; // one bit of one weight
    expectFormatError(bytes, ErrorCode.CHECKSUM_MISMATCH, /checksum mismatch: the file says CRC-32 0x[0-9a-f]{8}, its first \d+ bytes give 0x[0-9a-f]{8}/);
    const { checksum: _checksum, ...unsealed } = documentOf(validFile());
    expectFormatError(encode(unsealed), ErrorCode.CHECKSUM_MISSING);
    expectFormatError(encode({ ...unsealed, checksum: 5 }), ErrorCode.CHECKSUM_MISSING); // a fixint, not the fixed uint32 trailer
    // inspect reads a damaged file and reports the status instead.
    const file = readModelFile(bytes, { verifyChecksum: false });
    expect(file.checksum.ok).toBe(false);
    expect(file.checksum.stored).not.toBe(file.checksum.computed);
  });

  it('NaN or Infinity in weights: WEIGHT_NOT_FINITE naming the tensor, row and column', () => {
    const nanAt = (name: string, index: number) =>
      edited((d) => {
        const t = tensorOf(d, name);
        const data = t.data.slice();
        new DataView(data.buffer).setFloat32(index * 4, NaN, true);
        t.data = data;
      });
    expectFormatError(nanAt('layers.1.weight', 7), ErrorCode.WEIGHT_NOT_FINITE, /tensor layers\.1\.weight has NaN at row 1, column 1/);
    expectFormatError(nanAt('head.bias', 2), ErrorCode.WEIGHT_NOT_FINITE, /tensor head\.bias has NaN at element 2/);
    const infinityInF16 = edited((d) => {
      const t = tensorOf(d, 'embedding');
      const data = t.data.slice();
      new DataView(data.buffer).setUint16(2 * 5, 0xfc00, true); // -Infinity in binary16
      t.data = data;
    }, 'f16');
    expectFormatError(infinityInF16, ErrorCode.WEIGHT_NOT_FINITE, /tensor embedding has -Infinity at row 1, column 1/);
  });

  it('a q8 scale that is zero, negative or not finite: SCALE_INVALID naming the tensor, row and block', () => {
    for (const scale of [0, -0.5, NaN, Infinity]) {
      const bytes = edited((d) => {
        const t = tensorOf(d, 'layers.0.weight');
        const scales = t.scales.slice();
        new DataView(scales.buffer).setFloat32(4 * 5, scale, true);
        t.scales = scales;
      }, 'q8');
      expectFormatError(bytes, ErrorCode.SCALE_INVALID, /tensor layers\.0\.weight has scale .* at row 5, block 0/);
    }
  });

  it('truncated file: TRUNCATED, at every cut point of a small file', () => {
    const bytes = validFile('q8');
    expectFormatError(new Uint8Array(0), ErrorCode.TRUNCATED, /empty/);
    for (let length = 1; length < bytes.length; length++) {
      const error = formatErrorOf(bytes.subarray(0, length));
      expect(error.code, `cut at ${length}: ${error.message}`).toBe(ErrorCode.TRUNCATED);
    }
  });

  it('trailing bytes: TRAILING_BYTES with the offset', () => {
    const bytes = validFile();
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expectFormatError(longer, ErrorCode.TRAILING_BYTES, new RegExp(`3 trailing byte\\(s\\) after the MessagePack document, from byte ${bytes.length}`));
  });

  it('MessagePack extension types, anywhere: EXTENSION_TYPE with the offset', () => {
    expectFormatError(edited((d) => (d.metadata.when = new ExtData(7, new Uint8Array([1, 2])))), ErrorCode.EXTENSION_TYPE, /extension \(type 7\) at byte \d+/);
    expectFormatError(edited((d) => (d.metadata.when = new Date(0))), ErrorCode.EXTENSION_TYPE, /type -1/); // the timestamp extension
  });

  it('sizes beyond a configurable limit: LIMIT_EXCEEDED naming the limit', () => {
    const bytes = validFile();
    expectFormatError(bytes, ErrorCode.LIMIT_EXCEEDED, /over the maxBytes limit of 100/, { maxBytes: 100 });
    expectFormatError(bytes, ErrorCode.LIMIT_EXCEEDED, /the binary at byte \d+ has length 96, over the limit of 80 \(maxTensorElements × 4 and maxBytes\)/, { maxTensorElements: 20 });
    expectFormatError(bytes, ErrorCode.LIMIT_EXCEEDED, /maxVocabulary limit of 5/, { maxVocabulary: 5 });
    expectFormatError(bytes, ErrorCode.LIMIT_EXCEEDED, /over the limit of 3 \(maxStringLength\)/, { maxStringLength: 3 });
    expectFormatError(bytes, ErrorCode.LIMIT_EXCEEDED, /over the limit of 4 \(maxMapLength\)/, { maxMapLength: 4 });
    // A tensor that declares 2^32 elements in a tiny file is refused before anything is allocated.
    expectFormatError(edited((d) => (tensorOf(d, 'embedding').shape = [65536, 65536])), ErrorCode.LIMIT_EXCEEDED, /tensor embedding has shape \[65536,65536\] \(4294967296 elements\)/);
    expectFormatError(edited((d) => (d.architecture.vocabSize = 1e9)), ErrorCode.LIMIT_EXCEEDED, /architecture\.vocabSize is 1000000000/);
  });

  it('a 30-byte file never makes the loader allocate: huge declared arrays, maps, strings and binaries are refused at once', () => {
    const magic = [0x88, 0xa6, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74]; // map of 8, "format"
    const hostile = [
      [...magic, 0xdd, 0xff, 0xff, 0xff, 0xff], // array of 4 billion
      [...magic, 0xdf, 0xff, 0xff, 0xff, 0xff], // map of 4 billion
      [...magic, 0xdb, 0xff, 0xff, 0xff, 0xff], // string of 4 GB
      [...magic, 0xc6, 0xff, 0xff, 0xff, 0xff], // binary of 4 GB
      [...magic, ...Array(4).fill([0xdd, 0x00, 0x01, 0x00, 0x00]).flat()], // nested arrays of 65,536 each
    ].map((b) => Uint8Array.from([...b, ...Array(30 - b.length).fill(0)]));
    const heapBefore = onNode ? process.memoryUsage().heapUsed : 0;
    const start = performance.now();
    for (const bytes of hostile) {
      expect(bytes.length).toBe(30);
      const error = formatErrorOf(bytes);
      expect([ErrorCode.TRUNCATED, ErrorCode.LIMIT_EXCEEDED]).toContain(error.code);
      expect(formatErrorOf(bytes, { maxArrayLength: 2 ** 32, maxMapLength: 2 ** 32, maxStringLength: 2 ** 32, maxBytes: 2 ** 40, maxTensorElements: 2 ** 40 }).code).toBe(ErrorCode.TRUNCATED);
    }
    expect(performance.now() - start).toBeLessThan(1000);
    if (onNode) expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 2 ** 20);
  });

  it('fields of the wrong type or value: INVALID_FIELD naming the field', () => {
    expectFormatError(edited((d) => (d.architecture.cell = 'gru')), ErrorCode.INVALID_FIELD, /architecture\.cell is "gru", which needs format version 2; this file says version 1/);
    expectFormatError(edited((d) => (d.architecture.cell = 'peephole')), ErrorCode.INVALID_FIELD, /architecture\.cell is "peephole"; expected one of lstm, rnn-tanh, rnn-relu, gru, gru-reset-before/);
    expectFormatError(edited((d) => (d.architecture.extra = 1)), ErrorCode.INVALID_FIELD, /architecture has unknown field "extra"/);
    expectFormatError(edited((d) => (d.shiny = true)), ErrorCode.INVALID_FIELD, /unknown top-level field "shiny"/);
    expectFormatError(edited((d) => (d.tensors = {})), ErrorCode.INVALID_FIELD, /tensors is a map, expected an array/);
    expectFormatError(edited((d) => (d.vocabulary = d.vocabulary.slice(1))), ErrorCode.INVALID_FIELD, /vocabulary has 5 entries, expected 6/);
    expectFormatError(edited((d) => (d.vocabulary[2] = 7)), ErrorCode.INVALID_FIELD, /vocabulary\[2\] is 7/);
    expectFormatError(edited((d) => (d.tokenizer.kind = 3)), ErrorCode.INVALID_FIELD, /tokenizer\.kind is 3/);
    expectFormatError(edited((d) => (d.metadata = [1])), ErrorCode.INVALID_FIELD, /metadata is an array of 1/);
    expectFormatError(edited((d) => (tensorOf(d, 'layers.0.weight').blockSize = 0), 'q8'), ErrorCode.INVALID_FIELD, /layers\.0\.weight: blockSize is 0/);
    expectFormatError(edited((d) => (tensorOf(d, 'layers.0.weight').blockSize = 7), 'q4'), ErrorCode.INVALID_FIELD, /layers\.0\.weight: blockSize is 7, expected an even integer ≥ 2/);
    expectFormatError(edited((d) => Object.assign(tensorOf(d, 'head.bias'), { dtype: 'q4', data: new Uint8Array(3), scales: new Uint8Array(4), blockSize: 2, shape: [6] })), ErrorCode.TENSOR_SHAPE_MISMATCH, /head\.bias is q4 with shape \[6\]; q4 is for 2-D matrices only/);
    expectFormatError(edited((d) => (tensorOf(d, 'layers.0.weight').tiedTo = 'embedding')), ErrorCode.INVALID_FIELD, /layers\.0\.weight is tied to embedding and must have no/);
    expectFormatError(
      edited((d) => {
        const i = d.tensors.findIndex((t: { name: string }) => t.name === 'head.weight');
        d.tensors[i] = { name: 'head.weight', tiedTo: 'embedding' }; // embedding is [6, 4], the head needs [6, 3]
      }),
      ErrorCode.TENSOR_SHAPE_MISMATCH,
      /head\.weight is tied to the embedding \[6, 4\], but the head needs \[6, 3\]/,
    );
  });
});
