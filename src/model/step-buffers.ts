import { stepScratchLengthOf } from '../cells/cell.ts';
import type { Architecture } from './architecture.ts';

/**
 * One session's scratch memory, made once with the session and reused by
 * every step (llama2.c's RunState). Nothing here outlives a step's meaning
 * except `output`, which a step returns as a borrowed view.
 */
export interface StepBuffers {
  /** [max(I, H) + H]: a layer's input followed by its previous h. */
  readonly xh: Float32Array;
  /** [gateCount·H] (GRU: [7H], see GruCell): pre-activations of the layer being stepped; [0] when every layer steps in WebAssembly (its scratch is the kernel's). */
  readonly gates: Float32Array;
  /** [L] views of session.h, one [H] per layer. */
  readonly hLayers: readonly Float32Array[];
  /** [L] views of session.c, one [H] per layer; nulls for Elman cells. */
  readonly cLayers: readonly (Float32Array | null)[];
  /** [outputSize] the head's output, or the top layer's h view when there is no head. */
  readonly output: Float32Array;
}

/**
 * Allocates a session's scratch for an architecture, with views into h [L×H]
 * and c [L×H] (or null). `withGates` false leaves out the gate scratch, which
 * only the TypeScript kernels use.
 */
export function createStepBuffers(a: Architecture, h: Float32Array, c: Float32Array | null, withGates = true): StepBuffers {
  const H = a.hiddenSize;
  const scratch = stepScratchLengthOf(a.cell, H);
  const hLayers: Float32Array[] = [];
  const cLayers: (Float32Array | null)[] = [];
  for (let l = 0; l < a.numLayers; l++) {
    hLayers.push(h.subarray(l * H, (l + 1) * H));
    cLayers.push(c === null ? null : c.subarray(l * H, (l + 1) * H));
  }
  return {
    xh: new Float32Array(Math.max(a.inputSize, H) + H),
    gates: new Float32Array(withGates ? scratch : 0),
    hLayers,
    cLayers,
    output: a.head === 'none' ? hLayers[a.numLayers - 1] : new Float32Array(a.outputSize),
  };
}

/** Bytes of scratch (not state) that {@link createStepBuffers} allocates. */
export function stepBufferBytes(a: Architecture, withGates = true): number {
  const H = a.hiddenSize;
  return 4 * (Math.max(a.inputSize, H) + H + (withGates ? stepScratchLengthOf(a.cell, H) : 0) + (a.head === 'none' ? 0 : a.outputSize));
}
