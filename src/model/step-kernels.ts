import type { RecurrentCell } from '../cells/cell.ts';
import { F32Matrix } from '../math/f32-matrix.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { Q4Matrix } from '../math/q4-matrix.ts';
import { Q8Matrix } from '../math/q8-matrix.ts';
import { q8KernelMode } from '../math/wasm/kernel-backend.ts';
import { MatVecKernel } from '../math/wasm/matvec-kernel.ts';
import { Q4MatVecKernel } from '../math/wasm/q4-matvec-kernel.ts';
import { Q8MatVecKernel } from '../math/wasm/q8-matvec-kernel.ts';
import { GruLayerKernel } from '../math/wasm/gru-layer-kernel.ts';
import { LayerKernelKind, RecurrentLayerKernel } from '../math/wasm/recurrent-layer-kernel.ts';
import type { Q4Parts } from '../math/wasm/q4-packing.ts';
import type { Model } from './model.ts';

/** A recurrent layer's kernel: the fused LSTM/Elman one, or the GRU's; one `stepInto(h, c, input)` either way. */
export type LayerKernel = RecurrentLayerKernel | GruLayerKernel;

/** The head's kernel: f32, int8 or 4-bit weights, one `multiplyInto(out, x)` either way. */
export type HeadKernel = MatVecKernel | Q8MatVecKernel | Q4MatVecKernel;

/** A model's WebAssembly kernels: one per layer and the head's (null where a matrix has no kernel). */
export interface StepKernels {
  readonly layers: readonly (LayerKernel | null)[];
  readonly head: HeadKernel | null;
}

// One set per model (and int8 mode), made by its first WebAssembly session and
// shared by all later ones: the weights are copied into WebAssembly memory once.
const kernelsByModel = new WeakMap<Model, Map<string, StepKernels>>();

/**
 * The WebAssembly kernels of a model, made on first use. Every matrix the
 * kernels can read in its own layout is copied into its kernel's memory once
 * and the matrix then reads that copy (adoptStorage), so it is held once: the
 * head (f32, int8 or 4-bit) and the int8 and 4-bit LSTM/Elman layers (rows
 * padded to a multiple of 16 int8 or 32 4-bit columns there). The f32
 * recurrent layers and the GRU layers (f32, int8 and 4-bit: input and
 * hidden columns apart, gate blocks padded) are packed into layouts of their
 * own for speed, a second copy next to the matrix's own array (f32:
 * 4·G·H·(I + H) bytes per layer; int8: a quarter of that; 4-bit: an eighth).
 * This relies on the Model being immutable: later writes to the array a
 * matrix was built from are not seen.
 * Cold path: copies every weight once.
 */
export function stepKernelsFor(model: Model): StepKernels {
  const mode = q8KernelMode();
  let byMode = kernelsByModel.get(model);
  if (byMode === undefined) {
    byMode = new Map();
    kernelsByModel.set(model, byMode);
  }
  let kernels = byMode.get(mode);
  if (kernels === undefined) {
    const head = model.head;
    kernels = {
      layers: model.layers.map((cell) => layerKernelFor(cell)),
      head: head === null ? null : headKernelFor(head.weight, head.bias),
    };
    byMode.set(mode, kernels);
  }
  return kernels;
}

function layerKernelFor(cell: RecurrentCell): LayerKernel | null {
  if (cell.kind === 'gru' || cell.kind === 'gru-reset-before') return gruKernelFor(cell);
  const hard = cell.gateActivation === 'hard-sigmoid';
  const kind = cell.kind === 'lstm' ? (hard ? LayerKernelKind.LstmHard : LayerKernelKind.Lstm) : cell.kind === 'rnn-relu' ? LayerKernelKind.RnnRelu : LayerKernelKind.RnnTanh;
  const weight = cell.weight;
  if (weight instanceof F32Matrix) return RecurrentLayerKernel.fromF32(kind, cell.inputSize, cell.hiddenSize, weight.data, cell.bias);
  if (weight instanceof Q8Matrix) {
    const kernel = RecurrentLayerKernel.fromQ8(kind, cell.inputSize, cell.hiddenSize, weight, cell.bias, q8KernelMode());
    if (kernel !== null) weight.adoptStorage(kernel.weights.data, kernel.weights.rowStride);
    return kernel;
  }
  if (weight instanceof Q4Matrix) {
    const kernel = RecurrentLayerKernel.fromQ4(kind, cell.inputSize, cell.hiddenSize, q4PartsOf(weight), cell.bias, q8KernelMode());
    if (kernel !== null) weight.adoptStorage(kernel.weights.data, kernel.weights.rowStride, kernel.weights.scales);
    return kernel;
  }
  return null;
}

function gruKernelFor(cell: RecurrentCell): GruLayerKernel | null {
  const weight = cell.weight;
  const resetAfter = cell.kind === 'gru';
  const hard = cell.gateActivation === 'hard-sigmoid';
  if (weight instanceof F32Matrix) return GruLayerKernel.fromF32(cell.inputSize, cell.hiddenSize, weight.data, cell.bias, resetAfter, hard);
  if (weight instanceof Q8Matrix) return GruLayerKernel.fromQ8(cell.inputSize, cell.hiddenSize, weight, cell.bias, q8KernelMode(), resetAfter, hard);
  // No adoptStorage, as for int8: the kernel's split, padded copy is not a layout the matrix reads.
  if (weight instanceof Q4Matrix) return GruLayerKernel.fromQ4(cell.inputSize, cell.hiddenSize, q4PartsOf(weight), cell.bias, q8KernelMode(), resetAfter, hard);
  return null;
}

function headKernelFor(weight: WeightMatrix, bias: Float32Array): HeadKernel | null {
  if (weight instanceof F32Matrix) {
    const kernel = new MatVecKernel(weight.rows, weight.cols, weight.data, bias);
    weight.attachKernel(kernel, bias);
    return kernel;
  }
  if (weight instanceof Q8Matrix) {
    const kernel = Q8MatVecKernel.create(weight, bias, q8KernelMode());
    if (kernel !== null) weight.attachKernel(kernel, bias);
    return kernel;
  }
  if (weight instanceof Q4Matrix) {
    const kernel = Q4MatVecKernel.create(q4PartsOf(weight), bias, q8KernelMode());
    if (kernel !== null) weight.attachKernel(kernel, bias);
    return kernel;
  }
  return null;
}

/** A Q4Matrix's nibbles and scales as they are held now (no copy). */
function q4PartsOf(weight: Q4Matrix): Q4Parts {
  // The storage as held: `data` would be a compact copy after an adoption.
  return { rows: weight.rows, cols: weight.cols, blockSize: weight.blockSize, data: weight.storageView, dataRowStride: weight.dataRowStride, scales: weight.scales };
}
