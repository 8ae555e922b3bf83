import { ErrorCode } from '../errors.ts';
import { InteropError } from './errors.ts';

/**
 * Size limits of the safetensors, ONNX and TensorFlow.js readers, checked before anything
 * of that size is allocated, so a small hostile file cannot make a reader
 * allocate gigabytes. Every field is optional; {@link DEFAULT_INTEROP_LIMITS} fills the rest.
 */
export interface InteropLimits {
  /** Largest file, in bytes. Default 2 GiB (protobuf's own limit for one message). */
  readonly maxBytes?: number;
  /** Largest single tensor, in elements. Default 2^28 (1 GiB as f32). */
  readonly maxTensorElements?: number;
  /**
   * Most bytes a reader may allocate for values whose size the file declares
   * (tensor data widened to f32, repeated numbers decoded from ONNX), summed
   * over the whole read. Default 2 GiB. Everything else a reader allocates
   * (names, node lists) is bounded by a small multiple of the file size.
   */
  readonly maxAllocationBytes?: number;
  /** Largest safetensors JSON header, in bytes. Default 100,000,000 (the safetensors library's own limit). */
  readonly maxHeaderBytes?: number;
  /** Largest TensorFlow.js model.json, in bytes. Default 64 MiB (real ones are a few kilobytes of topology). */
  readonly maxJsonBytes?: number;
  /** Most weight shards a TensorFlow.js model may list. Default 4096 (4 MiB shards: 16 GiB). */
  readonly maxShards?: number;
}

/** The limits with every field present. */
export type ResolvedInteropLimits = { readonly [K in keyof InteropLimits]-?: number };

/** Defaults for {@link InteropLimits}: generous for real models, far below what a hostile file could ask. */
export const DEFAULT_INTEROP_LIMITS: ResolvedInteropLimits = Object.freeze({
  maxBytes: 2 ** 31,
  maxTensorElements: 2 ** 28,
  maxAllocationBytes: 2 ** 31,
  maxHeaderBytes: 100_000_000,
  maxJsonBytes: 64 * 2 ** 20,
  maxShards: 4096,
});

/** Fills the defaults in; a limit that is not a non-negative number is a programming error (RangeError). */
export function resolveInteropLimits(limits: InteropLimits = {}): ResolvedInteropLimits {
  const resolved: Record<string, number> = { ...DEFAULT_INTEROP_LIMITS };
  for (const key of Object.keys(DEFAULT_INTEROP_LIMITS) as (keyof ResolvedInteropLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`limit ${key} is ${String(value)}; expected a non-negative number`);
    resolved[key] = value;
  }
  return resolved as ResolvedInteropLimits;
}

/**
 * Counts the bytes a reader allocates for file-declared sizes and refuses
 * (InteropError LIMIT_EXCEEDED) any allocation that would pass
 * maxAllocationBytes in total or maxTensorElements in one tensor, before it
 * happens. One per read. Cost: a compare per allocation.
 */
export class AllocationBudget {
  readonly limits: ResolvedInteropLimits;
  /** Bytes granted so far. */
  allocatedBytes = 0;

  constructor(limits: ResolvedInteropLimits) {
    this.limits = limits;
  }

  /** Grants `elements` × `bytesPerElement` bytes for `what`, or throws LIMIT_EXCEEDED naming it. */
  take(elements: number, bytesPerElement: number, what: string): void {
    if (!(Number.isSafeInteger(elements) && elements >= 0)) {
      throw new InteropError(ErrorCode.LIMIT_EXCEEDED, `${what} declares ${elements} elements, not a size this reader can allocate`);
    }
    if (elements > this.limits.maxTensorElements) {
      throw new InteropError(ErrorCode.LIMIT_EXCEEDED, `${what} has ${elements} elements, over the maxTensorElements limit of ${this.limits.maxTensorElements}`);
    }
    const bytes = elements * bytesPerElement;
    if (this.allocatedBytes + bytes > this.limits.maxAllocationBytes) {
      throw new InteropError(
        ErrorCode.LIMIT_EXCEEDED,
        `${what} needs ${bytes} bytes, which would pass the maxAllocationBytes limit of ${this.limits.maxAllocationBytes} (${this.allocatedBytes} already allocated)`,
      );
    }
    this.allocatedBytes += bytes;
  }

  /** A new Float32Array of `length`, after {@link take}. */
  float32(length: number, what: string): Float32Array {
    this.take(length, 4, what);
    return new Float32Array(length);
  }
}

/** Throws LIMIT_EXCEEDED when a file is over maxBytes; `what` names the file kind. */
export function checkFileSize(bytes: Uint8Array, limits: ResolvedInteropLimits, what: string): void {
  if (bytes.length > limits.maxBytes) {
    throw new InteropError(ErrorCode.LIMIT_EXCEEDED, `${what} is ${bytes.length} bytes, over the maxBytes limit of ${limits.maxBytes}`);
  }
}
