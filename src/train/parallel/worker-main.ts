import { parentPort, workerData } from 'node:worker_threads';
import { fromTorchStateDict } from '../../model/torch-state-dict.ts';
import { evaluateLossSum } from '../evaluate.ts';
import { NetworkGraph } from '../graph/network-graph.ts';
import { Optimizer } from '../optim/optimizer.ts';
import { classesFromAssignment } from '../output-classes.ts';
import { TrainableModel } from '../trainable-model.ts';
import { Shard } from './participant.ts';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.ts';

/**
 * The body of a gradient worker thread (internal; started by the worker pool
 * through the built `lstm-stream/train` module). It maps the trainer's shared
 * weights, computes its streams' gradients into its own shared arrays on
 * each `run`, and answers state requests for checkpoints. Returns at once
 * when not in such a worker.
 */
export function runGradientWorker(): void {
  const setup = workerData as WorkerSetup | null;
  if (parentPort === null || setup === null || typeof setup !== 'object' || setup.lstmStreamGradientWorker !== true) return;
  const port = parentPort;
  const reply = (message: WorkerReply): void => port.postMessage(message);
  try {
    const model = fromTorchStateDict(setup.stateDict, { cell: setup.cell, cells: setup.cells, head: setup.head, gateActivations: setup.gateActivations });
    let next = 0;
    const trainable = new TrainableModel(model, {
      tie: setup.options.tie,
      classes: setup.classOf === null ? null : classesFromAssignment(setup.classOf, setup.classCount),
      allocate: (n, role) => (role === 'value' ? setup.sharedValues[next++] : new Float32Array(new SharedArrayBuffer(n * 4))),
    });
    const shard = new Shard(trainable, setup.data, { ...setup.options, firstStream: setup.firstStream, streams: setup.streams });
    // The main thread's parameters, gradients and moments (shared), for this worker's part of the reduce and update.
    let optimizer: Optimizer | null = null;
    let sources: Float32Array[][] = [];
    let validationGraph: NetworkGraph | null = null;
    port.on('message', (request: WorkerRequest) => {
      try {
        if (request.type === 'run') {
          const { lossSum, rows } = shard.runWindow(request.epoch, request.k);
          reply({ type: 'done', lossSum, rows });
        } else if (request.type === 'validate') {
          const share = setup.validationShare;
          if (setup.validation === null || share.streams === 0) {
            reply({ type: 'validated', lossSum: 0, rows: 0 });
          } else {
            validationGraph ??= new NetworkGraph(trainable, { batchSize: share.streams, window: setup.options.window, kernel: setup.options.kernel });
            const { lossSum, rows } = evaluateLossSum(trainable, setup.validation, setup.options.validationBatchSize, setup.options.window, share, validationGraph);
            reply({ type: 'validated', lossSum, rows });
          }
        } else if (request.type === 'getState') {
          reply({ type: 'state', arrays: shard.graph.stateArrays().map((a) => a.slice()) });
        } else if (request.type === 'setState') {
          shard.graph.stateArrays().forEach((target, i) => target.set(request.arrays[i]));
          reply({ type: 'ok' });
        } else if (request.type === 'attach') {
          const slots = request.values.map((value, k) => ({ name: `slot${k}`, value, gradient: request.gradients[k] }));
          optimizer = new Optimizer(slots, request.settings, { first: request.first, second: request.second });
          sources = request.workerGradients;
          reply({ type: 'ok' });
        } else if (request.type === 'reduce') {
          reply({ type: 'reduced', sumOfSquares: optimizer!.reduceRange(sources, request.from, request.to) });
        } else if (request.type === 'update') {
          optimizer!.stepCount = request.stepCount;
          optimizer!.updateRange(request.lr, request.scale, request.from, request.to);
          reply({ type: 'ok' });
        } else if (request.type === 'close') {
          port.close();
        }
      } catch (error) {
        reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    });
    reply({ type: 'ready', gradients: trainable.parameters.map((slot) => slot.gradient) });
  } catch (error) {
    reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}
