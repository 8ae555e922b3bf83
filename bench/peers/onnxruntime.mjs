// onnxruntime-node: one ONNX LSTM (or GRU) node per layer and step (seq_len 1),
// the state fed back in every call (ONNX Runtime sessions are stateless).
import { createRequire } from 'node:module';
import { gruLayerWeights, layerWeights } from '../lib/workload.mjs';
import { onnxLstmModel } from '../lib/onnx-lstm-model.mjs';
import { onnxGruModel } from '../lib/onnx-gru-model.mjs';

const require = createRequire(new URL('../../package.json', import.meta.url));

/** options: { threads: 1 | 0 } (0: onnxruntime's default thread pool). A GRU model (either variant) runs the GRU operator. */
export async function createPeer({ library, hiddenSize, numLayers, inputs, model, options }) {
  const ort = require('onnxruntime-node');
  const H = hiddenSize;
  const gru = model.layers[0].kind === 'gru' || model.layers[0].kind === 'gru-reset-before';
  const bytes = gru ? onnxGruModel(gruLayerWeights(model)) : onnxLstmModel(layerWeights(library, model));
  const sessionOptions = { graphOptimizationLevel: 'all', executionProviders: ['cpu'] };
  if (options.threads > 0) {
    sessionOptions.intraOpNumThreads = options.threads;
    sessionOptions.interOpNumThreads = 1;
  }
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const xs = inputs.map((x) => new ort.Tensor('float32', x, [1, 1, x.length]));
  const feeds = {};
  const reset = () => {
    for (let l = 0; l < numLayers; l++) {
      feeds[`h0_${l}`] = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
      if (!gru) feeds[`c0_${l}`] = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
    }
  };
  reset();
  const advance = async (t) => {
    feeds.X = xs[t % xs.length];
    const out = await session.run(feeds);
    for (let l = 0; l < numLayers; l++) {
      feeds[`h0_${l}`] = out[`h_${l}`];
      if (!gru) feeds[`c0_${l}`] = out[`c_${l}`];
    }
    return out[`h_${numLayers - 1}`].data;
  };
  const variant = gru ? `, GRU linear_before_reset=${model.layers[0].kind === 'gru' ? 1 : 0}` : '';
  return {
    describe: `onnxruntime-node ${require('onnxruntime-node/package.json').version}, ${options.threads > 0 ? `${options.threads} thread` : 'default threads'}${variant}`,
    sync: false,
    reset,
    step: advance,
    async run(steps, start) {
      let checksum = 0;
      for (let t = start; t < start + steps; t++) checksum += (await advance(t))[0];
      return checksum;
    },
  };
}
