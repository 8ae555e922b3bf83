import { decode, encode } from '@msgpack/msgpack';
import { createRandomModel, encodeModel, type Model } from '../../src/index.ts';

/** A small LSTM language model with vocabulary, tokenizer and metadata: the base file the bad-input tests damage. */
export function smallModel(): Model {
  return createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: 6, inputSize: 4, hiddenSize: 3, numLayers: 2, head: 'softmax', outputSize: 6 },
    {
      seed: 11,
      extras: {
        vocabulary: ['<unk>', 'a', 'b', 'c', 'd', 'e'],
        tokenizer: { kind: 'word', unknownToken: '<unk>' },
        metadata: { license: 'MIT', notes: ['x', 1, true, null] },
      },
    },
  );
}

/** A valid model file's bytes, of the given dtype. */
export function validFile(dtype: 'f32' | 'f16' | 'q8' | 'q4' = 'f32'): Uint8Array {
  return encodeModel(smallModel(), { dtype });
}

/** The decoded MessagePack document of a file, for editing. */
export function documentOf(bytes: Uint8Array): Record<string, any> {
  return decode(bytes) as Record<string, any>;
}

/**
 * Encodes a document as a model file with a correct checksum, following
 * docs/FORMAT.md independently of the library's writer: the "checksum" entry
 * last as a uint32, holding the CRC-32 of every byte before its 14-byte entry.
 */
export function seal(document: Record<string, unknown>): Uint8Array {
  const { checksum: _ignored, ...rest } = document;
  const bytes = encode({ ...rest, checksum: 0xffffffff });
  const crc = crc32Reference(bytes.subarray(0, bytes.length - 14));
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc);
  return bytes;
}

/** Bitwise CRC-32 (zlib's), independent of src/format/crc32.ts. */
export function crc32Reference(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The tensor entry of a decoded document by name. */
export function tensorOf(document: Record<string, any>, name: string): Record<string, any> {
  const tensor = (document.tensors as Record<string, any>[]).find((t) => t.name === name);
  if (tensor === undefined) throw new Error(`test helper: no tensor ${name}`);
  return tensor;
}
