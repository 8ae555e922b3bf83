import { stepScratchLengthOf } from '../cells/cell.ts';
import { cellOf, cellStateOffsetOf, hiddenOffsetOf, hiddenSizeOf, layerInputSizeOf, type Architecture } from './architecture.ts';

/**
 * One session's scratch memory, made once with the session and reused by
 * every step (llama2.c's RunState). Nothing here outlives a step's meaning
 * except `output`, which a step returns as a borrowed view.
 */
export interface StepBuffers {
  /** [max_l(I_l + H_l)]: a layer's input followed by its previous h. */
  readonly xh: Float32Array;
  /** [max_l scratch_l] (gateCount·H_l; a GRU's 7H_l, see GruCell): pre-activations of the layer being stepped; [0] when every layer steps in WebAssembly (its scratch is the kernel's). */
  readonly gates: Float32Array;
  /** [L] views of session.h, one [H_l] per layer. */
  readonly hLayers: readonly Float32Array[];
  /** [L] views of session.c, one [H_l] per LSTM layer; null for Elman and GRU layers. */
  readonly cLayers: readonly (Float32Array | null)[];
  /** [outputSize] the head's output, or the top layer's h view when there is no head. */
  readonly output: Float32Array;
}

/**
 * Allocates a session's scratch for an architecture, with views into h
 * [Σ_l H_l] and c [Σ H_l over LSTM layers] (or null without LSTM layers).
 * `withGates` false leaves out the gate scratch, which only the TypeScript
 * kernels use. Cold path.
 */
export function createStepBuffers(a: Architecture, h: Float32Array, c: Float32Array | null, withGates = true): StepBuffers {
  const hLayers: Float32Array[] = [];
  const cLayers: (Float32Array | null)[] = [];
  for (let l = 0; l < a.numLayers; l++) {
    const H = hiddenSizeOf(a, l);
    const at = hiddenOffsetOf(a, l);
    hLayers.push(h.subarray(at, at + H));
    const cAt = cellStateOffsetOf(a, l);
    cLayers.push(c === null || cAt < 0 ? null : c.subarray(cAt, cAt + H));
  }
  return {
    xh: new Float32Array(xhLength(a)),
    gates: new Float32Array(withGates ? gateScratchLength(a) : 0),
    hLayers,
    cLayers,
    output: a.head === 'none' ? hLayers[a.numLayers - 1] : new Float32Array(a.outputSize),
  };
}

/** Bytes of scratch (not state) that {@link createStepBuffers} allocates. O(L). */
export function stepBufferBytes(a: Architecture, withGates = true): number {
  return 4 * (xhLength(a) + (withGates ? gateScratchLength(a) : 0) + (a.head === 'none' ? 0 : a.outputSize));
}

// The widest [x; h] of any layer: each layer's input width plus its own hidden size.
function xhLength(a: Architecture): number {
  let length = 0;
  for (let l = 0; l < a.numLayers; l++) length = Math.max(length, layerInputSizeOf(a, l) + hiddenSizeOf(a, l));
  return length;
}

// The largest gate scratch of any layer (they step one at a time and share it).
function gateScratchLength(a: Architecture): number {
  let length = 0;
  for (let l = 0; l < a.numLayers; l++) length = Math.max(length, stepScratchLengthOf(cellOf(a, l), hiddenSizeOf(a, l)));
  return length;
}
