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
  const { lossSum, rows } = evaluateLossSum(trainable, data, batchSize, window, { firstStream: 0, streams: batchSize }, graph);
  return lossSum / rows;
}

/**
 * The summed loss and row count of streams [firstStream, firstStream +
 * streams) of `data` cut into `batchSize` streams (see {@link evaluateLoss}):
 * threads that each take a share of the streams add up to evaluateLoss's
 * sums exactly, because every stream carries its own state. `graph` must be
 * built for `share.streams` streams. Cold path.
 */
export function evaluateLossSum(
  trainable: TrainableModel,
  data: SequenceData,
  batchSize: number,
  window: number,
  share: { readonly firstStream: number; readonly streams: number },
  graph: NetworkGraph = new NetworkGraph(trainable, { batchSize: share.streams, window, kernel: 'typescript' }),
): { lossSum: number; rows: number } {
  const batches = new WindowBatches(data, batchSize, window, share.firstStream, share.streams);
  graph.resetState();
  let lossSum = 0;
  let rows = 0;
  for (let k = 0; k < batches.windowCount; k++) {
    const steps = batches.load(k);
    lossSum += graph.forward(batches.inputs, batches.targets, steps, null) * steps * share.streams;
    rows += steps * share.streams;
  }
  return { lossSum, rows };
}
