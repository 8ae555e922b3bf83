// onnxruntime-node: one ONNX LSTM node per layer and step (seq_len 1), the
// state fed back in every call (ONNX Runtime sessions are stateless).
import { createRequire } from 'node:module';
import { layerWeights } from '../lib/workload.mjs';
import { onnxLstmModel } from '../lib/onnx-lstm-model.mjs';

const require = createRequire(new URL('../../package.json', import.meta.url));

/** options: { threads: 1 | 0 } (0: onnxruntime's default thread pool) */
export async function createPeer({ library, hiddenSize, numLayers, inputs, model, options }) {
  const ort = require('onnxruntime-node');
  const H = hiddenSize;
  const bytes = onnxLstmModel(layerWeights(library, model));
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
      feeds[`c0_${l}`] = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
    }
  };
  reset();
  const advance = async (t) => {
    feeds.X = xs[t % xs.length];
    const out = await session.run(feeds);
    for (let l = 0; l < numLayers; l++) {
      feeds[`h0_${l}`] = out[`h_${l}`];
      feeds[`c0_${l}`] = out[`c_${l}`];
    }
    return out[`h_${numLayers - 1}`].data;
  };
  return {
    describe: `onnxruntime-node ${require('onnxruntime-node/package.json').version}, ${options.threads > 0 ? `${options.threads} thread` : 'default threads'}`,
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
