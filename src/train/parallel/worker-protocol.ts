import type { CellKind, GateActivation } from '../../cells/cell.ts';
import type { TorchTensor } from '../../model/torch-state-dict.ts';
import type { SequenceData } from '../data/batches.ts';
import type { OptimizerSettings } from '../optim/optimizer.ts';
import type { ResolvedTrainOptions } from '../trainer-options.ts';

/** What a gradient worker thread is started with (structured-cloned; shared arrays stay shared). */
export interface WorkerSetup {
  readonly lstmStreamGradientWorker: true;
  readonly cell: CellKind;
  /** Each layer's cell kind, bottom first (a stack may mix kinds and sizes; each layer's size travels in its weight_hh). */
  readonly cells: readonly CellKind[];
  /** Each layer's gate activation (the state dict's names cannot say it). */
  readonly gateActivations: readonly GateActivation[];
  readonly head: 'softmax' | 'linear';
  readonly stateDict: Record<string, TorchTensor>;
  readonly sharedValues: readonly Float32Array[];
  readonly data: SequenceData;
  readonly options: ResolvedTrainOptions;
  readonly classOf: Int32Array | null;
  readonly classCount: number;
  readonly firstStream: number;
  readonly streams: number;
  /** Validation data and this worker's streams of it (of options.validationBatchSize); null: no validation. */
  readonly validation: SequenceData | null;
  readonly validationShare: { readonly firstStream: number; readonly streams: number };
}

/** Main → worker. */
export type WorkerRequest =
  | { readonly type: 'run'; readonly epoch: number; readonly k: number }
  | { readonly type: 'validate' }
  | { readonly type: 'getState' }
  | { readonly type: 'setState'; readonly arrays: Float32Array[] }
  | {
      readonly type: 'attach';
      readonly settings: OptimizerSettings;
      readonly values: Float32Array[];
      readonly gradients: Float32Array[];
      readonly workerGradients: Float32Array[][];
      readonly first: Float32Array[];
      readonly second: Float32Array[];
    }
  | { readonly type: 'reduce'; readonly from: number; readonly to: number }
  | { readonly type: 'update'; readonly from: number; readonly to: number; readonly lr: number; readonly scale: number; readonly stepCount: number }
  | { readonly type: 'close' };

/** Worker → main. */
export type WorkerReply =
  | { readonly type: 'ready'; readonly gradients: Float32Array[] }
  | { readonly type: 'done'; readonly lossSum: number; readonly rows: number }
  | { readonly type: 'validated'; readonly lossSum: number; readonly rows: number }
  | { readonly type: 'state'; readonly arrays: Float32Array[] }
  | { readonly type: 'ok' }
  | { readonly type: 'reduced'; readonly sumOfSquares: number }
  | { readonly type: 'error'; readonly message: string };
