import type { RecurrentCell } from '../cells/cell.ts';
import { F32Matrix } from '../math/f32-matrix.ts';
import { MatVecKernel } from '../math/wasm/matvec-kernel.ts';
import { LayerKernelKind, RecurrentLayerKernel } from '../math/wasm/recurrent-layer-kernel.ts';
import type { Model } from './model.ts';

/** A model's WebAssembly kernels: one per layer (null where its weights have no kernel) and the head's. */
export interface StepKernels {
  readonly layers: readonly (RecurrentLayerKernel | null)[];
  readonly head: MatVecKernel | null;
}

// One set per model, made by its first WebAssembly session and shared by all
// later ones: the weights are copied into WebAssembly memory once per model.
const kernelsByModel = new WeakMap<Model, StepKernels>();

/**
 * The WebAssembly kernels of a model, made on first use. The head's f32
 * matrix is copied into its kernel's memory once and the F32Matrix then reads
 * that copy (attachKernel), so the largest matrix is held once; the recurrent
 * layers' matrices are packed into a panel layout for speed, a second copy
 * (G·H·(I + H)·4 bytes per layer). This relies on the Model being immutable:
 * later writes to the array a matrix was built from are not seen.
 * Cold path: copies every f32 weight once.
 */
export function stepKernelsFor(model: Model): StepKernels {
  let kernels = kernelsByModel.get(model);
  if (kernels === undefined) {
    const head = model.head;
    kernels = {
      layers: model.layers.map(layerKernelFor),
      head: head !== null && head.weight instanceof F32Matrix ? headKernelFor(head.weight, head.bias) : null,
    };
    kernelsByModel.set(model, kernels);
  }
  return kernels;
}

function layerKernelFor(cell: RecurrentCell): RecurrentLayerKernel | null {
  if (!(cell.weight instanceof F32Matrix)) return null;
  const kind = cell.kind === 'lstm' ? LayerKernelKind.Lstm : cell.kind === 'rnn-relu' ? LayerKernelKind.RnnRelu : LayerKernelKind.RnnTanh;
  return new RecurrentLayerKernel(kind, cell.inputSize, cell.hiddenSize, cell.weight.data, cell.bias);
}

function headKernelFor(weight: F32Matrix, bias: Float32Array): MatVecKernel {
  const kernel = new MatVecKernel(weight.rows, weight.cols, weight.data, bias);
  weight.attachKernel(kernel, bias);
  return kernel;
}

