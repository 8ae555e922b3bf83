import { ErrorCode } from '../../errors.ts';
import { InteropError } from '../errors.ts';
import type { AllocationBudget } from '../limits.ts';
import type { WeightGroup } from './read-model-json.ts';

/** A weight read from the shards: its declared shape and its values, row-major as Keras stores them. */
export interface TfjsWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * The weight shards: a list in manifest order (every group's paths, group
 * after group), or a map from each manifest path to its bytes.
 */
export type TfjsWeightShards = readonly Uint8Array[] | Readonly<Record<string, Uint8Array>>;

/**
 * Reads every weight of the manifest from the shards, by name. Each group's
 * shards are concatenated and its weights read one after another, as
 * tf.io writes them; the declared shapes are checked first — float32 only,
 * each within maxTensorElements, their total equal to the group's shard
 * bytes, the shards' total within maxBytes — so nothing is allocated for a
 * size the bytes do not back. Throws InteropError: TFJS_INVALID (a shard
 * missing or of the wrong size, a duplicate weight name),
 * TENSOR_DTYPE_UNSUPPORTED, LIMIT_EXCEEDED. Cold path: copies each weight once.
 */
export function readWeights(groups: readonly WeightGroup[], shards: TfjsWeightShards, budget: AllocationBudget): Map<string, TfjsWeight> {
  const listed = Array.isArray(shards);
  const pathCount = groups.reduce((n, group) => n + group.paths.length, 0);
  if (listed && shards.length !== pathCount) {
    throw new InteropError(ErrorCode.TFJS_INVALID, `model.json lists ${pathCount} weight shards, but ${shards.length} were given`);
  }
  const weights = new Map<string, TfjsWeight>();
  let totalBytes = 0;
  let next = 0;
  for (const [g, group] of groups.entries()) {
    const parts = group.paths.map((path, i) => {
      const bytes = listed ? (shards as readonly Uint8Array[])[next + i] : Object.hasOwn(shards, path) ? (shards as Record<string, Uint8Array>)[path] : undefined;
      if (!(bytes instanceof Uint8Array)) throw new InteropError(ErrorCode.TFJS_INVALID, `weight shard ${JSON.stringify(path)} (weightsManifest[${g}].paths[${i}]) is missing`);
      return bytes;
    });
    next += group.paths.length;
    const groupBytes = parts.reduce((n, part) => n + part.length, 0);
    totalBytes += groupBytes;
    if (totalBytes > budget.limits.maxBytes) {
      throw new InteropError(ErrorCode.LIMIT_EXCEEDED, `the weight shards hold more than ${budget.limits.maxBytes} bytes (the maxBytes limit)`);
    }
    // Declared sizes first: every spec's element count, summed, must be what the shards hold.
    let declared = 0;
    for (const spec of group.weights) {
      if (spec.dtype !== 'float32') {
        throw new InteropError(ErrorCode.TENSOR_DTYPE_UNSUPPORTED, `weight ${JSON.stringify(spec.name)} has dtype ${JSON.stringify(spec.dtype)}; only float32 weights are supported`);
      }
      const elements = spec.shape.reduce((n, d) => n * d, 1);
      if (!Number.isSafeInteger(elements) || elements > budget.limits.maxTensorElements) {
        throw new InteropError(ErrorCode.LIMIT_EXCEEDED, `weight ${JSON.stringify(spec.name)} declares shape [${spec.shape}], over the maxTensorElements limit of ${budget.limits.maxTensorElements}`);
      }
      declared += 4 * elements;
    }
    if (declared !== groupBytes) {
      throw new InteropError(ErrorCode.TFJS_INVALID, `weightsManifest[${g}] declares ${declared} bytes of weights, but its ${parts.length} shard(s) hold ${groupBytes} bytes`);
    }
    let part = 0;
    let partOffset = 0;
    for (const spec of group.weights) {
      if (weights.has(spec.name)) throw new InteropError(ErrorCode.TFJS_INVALID, `weight ${JSON.stringify(spec.name)} is listed twice in the manifest`);
      const length = spec.shape.reduce((n, d) => n * d, 1);
      const data = budget.float32(length, `weight ${JSON.stringify(spec.name)}`);
      // Little-endian float32, possibly split across shards; a byte view avoids alignment rules.
      const target = new Uint8Array(data.buffer);
      let filled = 0;
      while (filled < target.length) {
        while (partOffset === parts[part].length) {
          part++;
          partOffset = 0;
        }
        const take = Math.min(target.length - filled, parts[part].length - partOffset);
        target.set(parts[part].subarray(partOffset, partOffset + take), filled);
        filled += take;
        partOffset += take;
      }
      if (!littleEndian) swapBytes(target);
      weights.set(spec.name, { shape: spec.shape, data });
    }
  }
  return weights;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swapBytes(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) {
    const a = bytes[i];
    const b = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}
