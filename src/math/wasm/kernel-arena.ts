import { instantiateKernels, type KernelExports } from './kernel-module.ts';

/** A region of a KernelArena: its byte offset (what the kernels take) and a typed view of it. */
export interface ArenaRegion<View> {
  readonly offset: number;
  readonly view: View;
}

/**
 * One WebAssembly memory sized once for a fixed list of regions, with the
 * kernels instantiated on it. The memory never grows, so the views stay
 * valid for the arena's life (growing would detach every view).
 * Cost: the memory (rounded up to 64 KiB pages) and one instantiation.
 */
export class KernelArena {
  readonly memory: WebAssembly.Memory;
  readonly kernels: KernelExports;
  private next = 0;

  /** Sizes the memory for regions of these byte counts (each 16-byte aligned), to be taken in order. */
  constructor(byteCounts: readonly number[]) {
    let bytes = 0;
    for (const count of byteCounts) bytes += alignUp(count);
    const pages = Math.max(1, Math.ceil(bytes / 65536));
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.kernels = instantiateKernels(this.memory);
  }

  /** The next region of `count` floats, zeroed. Cold path. */
  takeFloat32(count: number): ArenaRegion<Float32Array> {
    const offset = this.takeBytes(count * 4);
    return { offset, view: new Float32Array(this.memory.buffer, offset, count) };
  }

  /** The next region of `count` int8 values, zeroed. Cold path. */
  takeInt8(count: number): ArenaRegion<Int8Array> {
    const offset = this.takeBytes(count);
    return { offset, view: new Int8Array(this.memory.buffer, offset, count) };
  }

  /** The next region of `count` bytes, zeroed. Cold path. */
  takeUint8(count: number): ArenaRegion<Uint8Array> {
    const offset = this.takeBytes(count);
    return { offset, view: new Uint8Array(this.memory.buffer, offset, count) };
  }

  /** The byte offset of the next region of `bytes` bytes, zeroed. Cold path. */
  takeBytes(bytes: number): number {
    const offset = this.next;
    this.next += alignUp(bytes);
    if (this.next > this.memory.buffer.byteLength) throw new RangeError('KernelArena: more taken than sized');
    return offset;
  }
}

function alignUp(bytes: number): number {
  return (bytes + 15) & ~15;
}
