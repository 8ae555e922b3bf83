import type { SequenceData } from '../data/batches.ts';
import { WindowBatches } from '../data/batches.ts';
import { NetworkGraph } from '../graph/network-graph.ts';
import { mixSeed } from '../seed-mix.ts';
import type { TrainableModel } from '../trainable-model.ts';

/** What one participant of a data-parallel step needs to know about the run. */
export interface ShardSettings {
  readonly batchSize: number; // B of the whole batch
  readonly window: number;
  readonly dropout: number;
  readonly inputDropout: number;
  readonly recurrentDropout: number;
  readonly embeddingDropout: number;
  readonly seed: number;
  readonly firstStream: number;
  readonly streams: number;
  readonly kernel: 'wasm' | 'typescript';
}

/**
 * One share of a minibatch: the streams [firstStream, firstStream + streams)
 * of the batch, its own NetworkGraph (own activations and carried state) over
 * a TrainableModel whose values it reads and whose gradient arrays it writes.
 * The main thread runs one; each worker thread runs one.
 */
export class Shard {
  readonly graph: NetworkGraph;
  private readonly batches: WindowBatches;
  private readonly settings: ShardSettings;

  /** Allocates the graph and window buffers for this share. */
  constructor(trainable: TrainableModel, data: SequenceData, settings: ShardSettings) {
    this.settings = settings;
    this.graph = new NetworkGraph(trainable, { batchSize: settings.streams, window: settings.window, dropout: settings.dropout, inputDropout: settings.inputDropout, recurrentDropout: settings.recurrentDropout, embeddingDropout: settings.embeddingDropout, kernel: settings.kernel });
    this.batches = new WindowBatches(data, settings.batchSize, settings.window, settings.firstStream, settings.streams);
  }

  /** Windows per epoch (the same for every share of a batch). */
  get windowCount(): number {
    return this.batches.windowCount;
  }

  /**
   * Zeroes the gradients, runs window k of the epoch forward and backward
   * (the gradient divided by the whole batch's rows), and returns the sum of
   * this share's token losses and its row count. Dropout masks come from
   * (seed, epoch, k, stream) alone, so a resumed run, or the same batch
   * split over another number of threads, draws the same ones.
   */
  runWindow(epoch: number, k: number): { lossSum: number; rows: number } {
    const s = this.settings;
    if (k === 0) this.graph.resetState();
    const steps = this.batches.load(k);
    this.graph.model.zeroGradients();
    const dropout = s.dropout > 0 || s.inputDropout > 0 || s.recurrentDropout > 0 || s.embeddingDropout > 0 ? { seed: mixSeed(s.seed, epoch, k, 0), firstStream: s.firstStream } : null;
    const rows = steps * s.streams;
    const mean = this.graph.forward(this.batches.inputs, this.batches.targets, steps, dropout);
    this.graph.backward(steps * s.batchSize);
    return { lossSum: mean * rows, rows };
  }
}
