import { Worker } from 'node:worker_threads';
import { ErrorCode } from '../../errors.ts';
import { toTorchStateDict } from '../../model/torch-state-dict.ts';
import { TrainingError } from '../errors.ts';
import type { GradientWorkers, WorkerFactory } from '../trainer.ts';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.ts';

/**
 * The URL of the built `lstm-stream/train` ESM module, which a worker thread
 * imports to run {@link runGradientWorker}: next to this file in dist/, or
 * the repository's dist/train.js when running from the TypeScript sources
 * (Node cannot start a .ts worker; `npm run build` first).
 */
export function trainModuleUrl(): URL {
  const here = (import.meta as { url?: string }).url;
  if (typeof here !== 'string') {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, 'parallel workers need the ESM build of lstm-stream/train (import, not require)');
  }
  return here.endsWith('.ts') ? new URL('../../../dist/train.js', here) : new URL('./train.js', here);
}

// The worker is a tiny script that imports the train module and starts the worker loop.
const WORKER_SCRIPT = `import(require('node:worker_threads').workerData.moduleUrl).then((m) => m.runGradientWorker(), (e) => { throw e; });`;

/** One gradient worker thread and the replies it owes. */
class WorkerHandle {
  readonly worker: Worker;
  private waiting: Array<{ resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }> = [];

  constructor(setup: WorkerSetup, moduleUrl: string) {
    this.worker = new Worker(WORKER_SCRIPT, { eval: true, workerData: { ...setup, moduleUrl } });
    this.worker.on('message', (reply: WorkerReply) => {
      const next = this.waiting.shift();
      if (next === undefined) return;
      if (reply.type === 'error') next.reject(new Error(`gradient worker failed: ${reply.message}`));
      else next.resolve(reply);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`gradient worker exited with code ${code}`)));
  }

  /** Resolves with the worker's next reply (replies come in request order). */
  nextReply(): Promise<WorkerReply> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  request(message: WorkerRequest): Promise<WorkerReply> {
    const reply = this.nextReply();
    this.worker.postMessage(message);
    return reply;
  }

  private failAll(error: Error): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.reject(error);
  }
}

/**
 * Starts one worker thread per extra share of the batch (Node's
 * worker_threads; the weights are shared, each worker owns its gradients).
 * Cold path: each worker builds its own graph buffers.
 */
export const createWorkerPool: WorkerFactory = async ({ model, sharedValues, data, validation, options, classes, shares, validationShares }) => {
  const moduleUrl = trainModuleUrl().href;
  const a = model.architecture;
  // Only a transport: each worker reads it back with the same cell kinds and gate activations, so a reset-before GRU, hard-sigmoid layers and a mixed stack may go too.
  const stateDict = toTorchStateDict(model, { transport: true });
  const gateActivations = model.layers.map((layer) => layer.gateActivation);
  const cells = model.layers.map((layer) => layer.kind);
  const handles = shares.map(
    (share, i) =>
      new WorkerHandle(
        {
          lstmStreamGradientWorker: true,
          cell: a.cell,
          cells,
          gateActivations,
          head: a.head === 'linear' ? 'linear' : 'softmax',
          stateDict,
          sharedValues,
          data,
          options,
          classOf: classes === null ? null : classes.classOf,
          classCount: classes === null ? 0 : classes.classCount,
          firstStream: share.firstStream,
          streams: share.streams,
          validation,
          validationShare: validationShares[i],
        },
        moduleUrl,
      ),
  );
  let gradients: Float32Array[][];
  try {
    const ready = await Promise.all(handles.map((h) => h.nextReply()));
    gradients = ready.map((reply) => (reply.type === 'ready' ? reply.gradients : []));
  } catch (error) {
    await Promise.all(handles.map((h) => h.worker.terminate()));
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `could not start gradient workers from ${moduleUrl} (run npm run build first?): ${(error as Error).message}`, { cause: error });
  }
  const pool: GradientWorkers = {
    gradients,
    async runWindow(epoch, k) {
      const replies = await Promise.all(handles.map((h) => h.request({ type: 'run', epoch, k })));
      return replies.map((r) => (r.type === 'done' ? { lossSum: r.lossSum, rows: r.rows } : { lossSum: NaN, rows: 0 }));
    },
    async validate() {
      const replies = await Promise.all(handles.map((h) => h.request({ type: 'validate' })));
      return replies.map((r) => (r.type === 'validated' ? { lossSum: r.lossSum, rows: r.rows } : { lossSum: NaN, rows: 0 }));
    },
    async attach(main) {
      await Promise.all(handles.map((h) => h.request({ type: 'attach', ...main, workerGradients: gradients })));
    },
    async reduce(ranges) {
      const replies = await Promise.all(handles.map((h, i) => h.request({ type: 'reduce', from: ranges[i][0], to: ranges[i][1] })));
      return replies.map((r) => (r.type === 'reduced' ? r.sumOfSquares : NaN));
    },
    async update(ranges, lr, scale, stepCount) {
      await Promise.all(handles.map((h, i) => h.request({ type: 'update', from: ranges[i][0], to: ranges[i][1], lr, scale, stepCount })));
    },
    async getStates() {
      const replies = await Promise.all(handles.map((h) => h.request({ type: 'getState' })));
      return replies.map((r) => (r.type === 'state' ? r.arrays : []));
    },
    async setStates(states) {
      await Promise.all(handles.map((h, i) => h.request({ type: 'setState', arrays: states[i] })));
    },
    async close() {
      await Promise.all(handles.map((h) => h.worker.terminate()));
    },
  };
  return pool;
};
