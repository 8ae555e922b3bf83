import type { Model } from '../model/model.ts';
import { buildModel } from './build-model.ts';
import { readModelFile, type ReadOptions } from './read-model-file.ts';

/** Options of {@link decodeModel} and loadModel: size limits (FormatLimits). The checksum is always verified. */
export type DecodeOptions = Omit<ReadOptions, 'verifyChecksum'>;

/**
 * Decodes a model file's bytes into a Model, synchronously: checks the
 * structure, limits, format, version and checksum, then every tensor (see
 * docs/FORMAT.md). f16 tensors are widened to f32; q8 tensors stay int8.
 * Throws FormatError with a stable code and a message naming the field,
 * tensor or byte offset. Cost: a few passes over the bytes; allocates the
 * weights once and keeps no reference to `bytes`.
 */
export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): Model {
  return buildModel(readModelFile(bytes, { ...options, verifyChecksum: true }));
}
