import { WindowBatches, type SequenceData } from './data/batches.ts';
import { NetworkGraph } from './graph/network-graph.ts';
import type { TrainableModel } from './trainable-model.ts';

/**
 * Mean loss per step of `data` under the model's current weights: the data
 * cut into `batchSize` streams, run in windows from a zero state with the
 * state carried between windows, without dropout, gradients untouched.
 * For a softmax head, exp(result) is the perplexity. Cold path: allocates
 * an evaluation graph (reuse `graph` across calls to avoid that).
 */
export function evaluateLoss(
  trainable: TrainableModel,
  data: SequenceData,
  batchSize: number,
  window: number,
  graph: NetworkGraph = new NetworkGraph(trainable, { batchSize, window, kernel: 'typescript' }),
): number {
  const batches = new WindowBatches(data, batchSize, window);
  graph.resetState();
  let lossSum = 0;
  let rows = 0;
  for (let k = 0; k < batches.windowCount; k++) {
    const steps = batches.load(k);
    lossSum += graph.forward(batches.inputs, batches.targets, steps, null) * steps * batchSize;
    rows += steps * batchSize;
  }
  return lossSum / rows;
}
