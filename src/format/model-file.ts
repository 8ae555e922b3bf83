import { isGru } from '../cells/cell.ts';
import { cellOf, isMixedStack, type Architecture } from '../model/architecture.ts';
import type { TokenizerSettings } from '../model/model.ts';

/** The `format` value every model file starts with. */
export const FORMAT_NAME = 'lstm-stream';

/**
 * The newest version this library reads and writes. Version 2 adds the GRU
 * cells, version 3 the per-layer settings (`architecture.layers`: the hard
 * sigmoid gate activation), version 4 a layer's own cell kind and hidden size
 * (`architecture.layers[l].cell`, `.hiddenSize`: mixed stacks); a writer
 * gives each file the lowest version that describes it (see
 * {@link formatVersionOf}), so an LSTM or Elman file stays version 1, byte
 * for byte, and older readers keep reading what they can.
 */
export const FORMAT_VERSION = 4;

/** The versions this library reads. */
export const FORMAT_VERSIONS: readonly number[] = [1, 2, 3, 4];

/**
 * The lowest format version that can describe a model of this architecture:
 * 4 when a layer's kind or size differs from layer 0's (a version-3 reader
 * would refuse the unknown layer fields, and an older one would build every
 * layer like layer 0), 3 when it has other per-layer settings (a
 * hard-sigmoid layer; an older reader would compute its gates with the
 * logistic sigmoid), 2 for the GRU cells (a version-1 reader would take a
 * GRU's 3H-row weights for something else or fail on them), 1 otherwise.
 * Writers use it. O(L).
 */
export function formatVersionOf(architecture: Architecture): number {
  if (isMixedStack(architecture)) return 4;
  if (architecture.layers !== undefined) return 3;
  for (let l = 0; l < architecture.numLayers; l++) if (isGru(cellOf(architecture, l))) return 2;
  return 1;
}

/** Storage types of a tensor in a file. */
export type TensorDtype = 'f32' | 'f16' | 'q8' | 'q4';

/** The storage types, for validation and messages. */
export const TENSOR_DTYPES: readonly TensorDtype[] = ['f32', 'f16', 'q8', 'q4'];

/**
 * Bytes of a tensor's `data` for its dtype and shape (scales come on top):
 * 4, 2 or 1 per element for f32, f16, q8; for q4, ceil(cols / 2) per row
 * (two nibbles a byte, each row starting on a byte).
 */
export function dataByteLength(dtype: TensorDtype, shape: readonly number[]): number {
  if (dtype === 'q4') return shape[0] * Math.ceil(shape[1] / 2);
  let elements = 1;
  for (const d of shape) elements *= d;
  return elements * (dtype === 'f32' ? 4 : dtype === 'f16' ? 2 : 1);
}

/**
 * The file ends with the top-level map's last entry, "checksum" as a uint32:
 * A8 'checksum' CE followed by the CRC-32 (big-endian) of every byte before
 * these 14. Fixed bytes, so a reader finds and checks it before parsing.
 */
export const CHECKSUM_TRAILER_PREFIX = Uint8Array.from([0xa8, 0x63, 0x68, 0x65, 0x63, 0x6b, 0x73, 0x75, 0x6d, 0xce]);

/** Length of the checksum trailer: the prefix plus four CRC bytes. */
export const CHECKSUM_TRAILER_LENGTH = CHECKSUM_TRAILER_PREFIX.length + 4;

/** One tensor entry of a file, checked for types and byte lengths but not yet decoded. */
export interface FileTensor {
  readonly name: string;
  /** Storage type; null when the entry is tied to another tensor. */
  readonly dtype: TensorDtype | null;
  readonly shape: readonly number[];
  /** Raw element bytes (a view into the file). Empty for a tied entry. */
  readonly data: Uint8Array;
  /** q8 and q4: little-endian f32 scales [rows × ceil(cols / blockSize)] (a view into the file). */
  readonly scales: Uint8Array | null;
  /** q8 and q4: columns per scale. */
  readonly blockSize: number | null;
  /** The name of the tensor this entry shares its values with, or null. */
  readonly tiedTo: string | null;
}

/** What the checksum check found. */
export interface ChecksumStatus {
  /** The CRC-32 stored in the file. */
  readonly stored: number;
  /** The CRC-32 of the bytes before the trailer. */
  readonly computed: number;
  readonly ok: boolean;
}

/** A parsed model file: every field checked on its own, tensors not yet decoded or matched to the architecture. */
export interface ModelFile {
  readonly version: number;
  readonly architecture: Architecture;
  readonly tensors: readonly FileTensor[];
  readonly vocabulary: readonly string[] | null;
  readonly tokenizer: TokenizerSettings | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly checksum: ChecksumStatus;
  /** Size of the file in bytes. */
  readonly byteLength: number;
}

/** The file names of a model's tensors, in the order writers emit them. */
export const TENSOR_NAMES = {
  embedding: 'embedding',
  layerWeight: (l: number): string => `layers.${l}.weight`,
  layerBias: (l: number): string => `layers.${l}.bias`,
  headWeight: 'head.weight',
  headBias: 'head.bias',
} as const;
