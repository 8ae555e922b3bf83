// Our Session.step: f32 or q8 weights, WebAssembly SIMD or TypeScript kernels.
import { benchArchitecture, benchSeed } from '../lib/workload.mjs';

/** options: { backend: 'wasm' | 'typescript', dtype: 'f32' | 'q8' }; cell: the bench model's cell kind (default lstm) */
export async function createPeer({ library, hiddenSize, numLayers, cell = 'lstm', inputs, options }) {
  const f32 = library.createRandomModel(benchArchitecture(hiddenSize, numLayers, cell), { seed: benchSeed(hiddenSize, numLayers) });
  const model = options.dtype === 'q8' ? quantize(library, f32) : f32;
  if (library.setKernelBackend(options.backend) !== options.backend) throw new Error(`backend ${options.backend} unavailable`);
  if (options.q8Mode) library.setQ8KernelMode(options.q8Mode);
  const session = model.session();
  const ring = inputs.length;
  return {
    describe: `lstm-stream ${cell === 'lstm' ? '' : `${cell} `}${options.dtype} ${options.backend}${options.q8Mode ? ` ${options.q8Mode}` : ''}`,
    sync: true,
    reset() {
      session.reset();
    },
    step(t) {
      return session.step(inputs[t % ring]);
    },
    // The timed loop. The checksum keeps the results observable.
    run(steps, start) {
      let checksum = 0;
      for (let t = start; t < start + steps; t++) checksum += session.step(inputs[t % ring])[0];
      return checksum;
    },
  };
}

/** The same model with every layer's weights quantized to int8 with per-row scales. */
export function quantize(library, model) {
  const layers = model.layers.map((layer) =>
    library.createCell(layer.kind, layer.inputSize, layer.hiddenSize, library.Q8Matrix.fromFloat32(layer.weight.rows, layer.weight.cols, layer.weight.toFloat32()), layer.bias),
  );
  return new library.Model({ layers, head: model.head, embedding: model.embedding });
}
