// Measures the typed arrays code allocates while it runs, independently of
// the code's own accounting: the global typed-array constructors are
// swapped for subclasses that record the size of every fresh buffer (not of
// views over an existing one). Used by the property tests to check that a
// hostile file never makes a reader allocate beyond its limit.

type TypedArrayConstructor = typeof Float32Array | typeof Float64Array | typeof Uint8Array | typeof Int8Array | typeof Uint16Array | typeof Int32Array | typeof Uint32Array | typeof BigInt64Array;

const NAMES = ['Float32Array', 'Float64Array', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array'] as const;

/** What one measured call allocated. */
export interface AllocationRecord {
  /** Sum of the byte lengths of every new typed-array buffer. */
  totalBytes: number;
  /** The largest single one. */
  largestBytes: number;
}

/** Runs `body` with the typed-array constructors metered; restores them even when body throws. */
export function meterAllocations<T>(body: () => T): { result?: T; error?: unknown; record: AllocationRecord } {
  const record: AllocationRecord = { totalBytes: 0, largestBytes: 0 };
  const globals = globalThis as unknown as Record<string, TypedArrayConstructor>;
  const originals = NAMES.map((name) => globals[name]);
  NAMES.forEach((name, i) => {
    const Base = originals[i] as unknown as new (...args: unknown[]) => ArrayBufferView;
    const Metered = class extends Base {
      // Arrays made before metering are still instances of the type.
      static override [Symbol.hasInstance](value: unknown): boolean {
        return value instanceof Base;
      }
      constructor(...args: unknown[]) {
        super(...args);
        const first = args[0];
        const isView = first instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && first instanceof SharedArrayBuffer);
        if (!isView) {
          record.totalBytes += this.byteLength;
          if (this.byteLength > record.largestBytes) record.largestBytes = this.byteLength;
        }
      }
    };
    Object.defineProperty(Metered, 'name', { value: name });
    globals[name] = Metered as unknown as TypedArrayConstructor;
  });
  try {
    return { result: body(), record };
  } catch (error) {
    return { error, record };
  } finally {
    NAMES.forEach((name, i) => {
      globals[name] = originals[i];
    });
  }
}
