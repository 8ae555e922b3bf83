import { instantiateKernels, type KernelExports } from './kernel-module.ts';

/** A region of a KernelArena: its byte offset (what the kernels take) and a Float32Array view of it. */
export interface ArenaRegion {
  readonly offset: number;
  readonly view: Float32Array;
}

/**
 * One WebAssembly memory sized once for a fixed list of f32 regions, with
 * the kernels instantiated on it. The memory never grows, so the views stay
 * valid for the arena's life (growing would detach every view).
 * Cost: the memory (rounded up to 64 KiB pages) and one instantiation.
 */
export class KernelArena {
  readonly memory: WebAssembly.Memory;
  readonly kernels: KernelExports;
  private next = 0;

  /** Sizes the memory for regions of these float counts (each 16-byte aligned), to be taken in order with {@link take}. */
  constructor(floatCounts: readonly number[]) {
    let bytes = 0;
    for (const count of floatCounts) bytes += alignUp(count * 4);
    const pages = Math.max(1, Math.ceil(bytes / 65536));
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.kernels = instantiateKernels(this.memory);
  }

  /** The next region of `count` floats, zeroed. Cold path: allocates one view. */
  take(count: number): ArenaRegion {
    const offset = this.next;
    this.next += alignUp(count * 4);
    if (this.next > this.memory.buffer.byteLength) throw new RangeError('KernelArena: region list exceeded');
    return { offset, view: new Float32Array(this.memory.buffer, offset, count) };
  }
}

function alignUp(bytes: number): number {
  return (bytes + 15) & ~15;
}
