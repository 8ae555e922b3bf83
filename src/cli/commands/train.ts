import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ErrorCode } from '../../errors.ts';
import type { TensorDtype } from '../../format/model-file.ts';
import { CELL_KINDS, GATE_ACTIVATIONS, hasGates, type CellKind, type GateActivation } from '../../cells/cell.ts';
import { decodeModel } from '../../format/decode-model.ts';
import type { Model } from '../../model/model.ts';
import { describeLayers, isMixedStack, topHiddenSize } from '../../model/architecture.ts';
import { createRandomModel } from '../../model/random-model.ts';
import { parseLayerSpec } from '../layer-spec.ts';
import { languageModelData } from '../../train/data/batches.ts';
import { buildVocabulary, encodeTokens, readTokenFile } from '../../train/data/token-file.ts';
import { TrainingError } from '../../train/errors.ts';
import { exportTrainedModel } from '../../train/export-model.ts';
import { renderHtmlReport } from '../../train/report/html-report.ts';
import { WasmGemm } from '../../train/kernels/wasm-gemm.ts';
import { train, type TrainProgress } from '../../train/trainer.ts';
import type { Command } from '../command.ts';
import { formatDuration, progressBar, progressLine } from './train-progress.ts';

const USAGE = `usage: lstm-stream train --train FILE [options]

Trains a word (or character) language model on a token file (one token per
line) with truncated BPTT, and writes it as a model file.

data and model:
  --train FILE            training tokens, one per line (required)
  --valid FILE            validation tokens (learning-rate decay, early stopping, best model)
  --vocab-size N          keep the N−1 most frequent tokens plus <unk> (default: all)
  --vocab FILE            the vocabulary, one token per line, <unk> first (instead of
                          building one from --train; e.g. prepare-brown's vocab.txt)
  --init MODEL            start from a model file's weights (f32 or f16) instead of random
                          ones; its architecture and vocabulary are used, so size flags
                          are ignored. Optimizer state starts fresh (unlike --resume).
  --min-count N           keep tokens seen at least N times (default 1)
  --cell KIND             lstm | gru | gru-reset-before | rnn-tanh | rnn-relu (default lstm);
                          gru is PyTorch's GRU (nn.GRU, ONNX linear_before_reset=1),
                          gru-reset-before the Keras / TensorFlow.js default
  --gate-activation KIND  sigmoid | hard-sigmoid: the LSTM / GRU gates' activation in every
                          layer (default sigmoid; hard-sigmoid is clip(0.2x + 0.5, 0, 1),
                          TensorFlow.js's default; with --init, the model's own)
  --embedding N           embedding size (default 64)
  --hidden N              hidden size (default 128)
  --layers N              recurrent layers (default 1)
  --layer-spec SPEC       a stack whose layers differ in kind and size, bottom first, as
                          KIND:SIZE entries, e.g. lstm:128,gru:64 or rnn-tanh:96,gru:64;
                          replaces --cell, --hidden and --layers (--gate-activation applies
                          to the LSTM / GRU layers; --tie needs embedding = the top size)
  --tie                   share the embedding with the output layer (embedding = hidden)
  --classes N             factorized softmax with N frequency classes (0 = full softmax; ~√V is fast)
training:
  --batch N               parallel streams per minibatch (default 20)
  --window N              truncated-BPTT window (default 35)
  --epochs N              (default 10)
  --optimizer adam|sgd    (default adam)
  --lr X                  learning rate (default 0.002 for adam, 1 for sgd)
  --momentum X            SGD momentum (default 0)
  --weight-decay X        (default 0)
  --clip X                global gradient-norm clip, 0 = off (default 5)
  --dropout X             between layers and before the head (default 0)
  --input-dropout X       on the embedding output, the first layer's input (default 0)
  --recurrent-dropout X   on h(t-1) inside LSTM and Elman layers, one mask per stream
                          and window (variational; default 0)
  --embedding-dropout X   drop whole word types from each window's embedding
                          lookups (default 0)
  --lr-decay X            learning rate × X when validation stops improving (default 0.5)
  --lr-decay-threshold X  an epoch must lower validation perplexity by this fraction
                          to count as improving (default 0; 0.02 = 2%)
  --average-from N        from epoch N on, validate and export the running mean of the
                          weights over every step (averaged SGD; 0 = off, default)
  --patience N            stop after N epochs without improvement, 0 = never (default 3)
  --seed N                seed of the initial weights and dropout (default 1)
  --workers N             threads computing gradients (default 1; 2 uses both cores)
  --kernel wasm|typescript  matrix products (default wasm: WebAssembly SIMD where available,
                          with fused multiply-adds where relaxed SIMD is)
  --max-windows N         windows per epoch at most (quick runs)
output:
  --out FILE              model file (default model.msgpack)
  --dtype f32|f16|q8      weight storage of the model file (default f32)
  --checkpoint FILE       checkpoint file (default: OUT.ckpt); written every
                          --checkpoint-minutes N (default 10) and on Ctrl-C
  --resume                continue from the checkpoint (same data and options;
                          --workers may differ)
  --report FILE           write an HTML report (loss and perplexity curves, settings)

On a terminal a progress bar shows epoch, tokens/s, loss, perplexity and ETA;
otherwise plain log lines. Ctrl-C writes a checkpoint and exits with code 130;
run the same command with --resume to continue. A stopped run also writes
its current weights to OUT with .stopped.msgpack in place of .msgpack.`;

/** `lstm-stream train`: trains a language model from token files. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train a language model on a token file (BPTT, checkpoints, report) and write a model file',
  usage: USAGE,
  run: (args) => runTrain(args, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), terminal: process.stderr.isTTY === true }),
};

/** Where the command writes: stdout, stderr, and whether stderr is a terminal (progress bar) or not (log lines). */
export interface TrainCommandOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly terminal: boolean;
  /** Stops the run like Ctrl-C does (tests); the real command also listens for SIGINT. */
  readonly signal?: AbortSignal;
}

/** The command's body. Resolves to the exit code: 0 done, 130 stopped with a checkpoint, 2 usage. */
export async function runTrain(args: string[], io: TrainCommandOutput): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      train: { type: 'string' },
      valid: { type: 'string' },
      'vocab-size': { type: 'string' },
      vocab: { type: 'string' },
      init: { type: 'string' },
      'min-count': { type: 'string', default: '1' },
      cell: { type: 'string', default: 'lstm' },
      'gate-activation': { type: 'string', default: 'sigmoid' },
      embedding: { type: 'string', default: '64' },
      hidden: { type: 'string', default: '128' },
      layers: { type: 'string', default: '1' },
      'layer-spec': { type: 'string' },
      tie: { type: 'boolean', default: false },
      classes: { type: 'string', default: '0' },
      batch: { type: 'string', default: '20' },
      window: { type: 'string', default: '35' },
      epochs: { type: 'string', default: '10' },
      optimizer: { type: 'string', default: 'adam' },
      lr: { type: 'string' },
      momentum: { type: 'string', default: '0' },
      'weight-decay': { type: 'string', default: '0' },
      clip: { type: 'string', default: '5' },
      dropout: { type: 'string', default: '0' },
      'input-dropout': { type: 'string', default: '0' },
      'recurrent-dropout': { type: 'string', default: '0' },
      'embedding-dropout': { type: 'string', default: '0' },
      'lr-decay': { type: 'string', default: '0.5' },
      'lr-decay-threshold': { type: 'string', default: '0' },
      'average-from': { type: 'string', default: '0' },
      patience: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      workers: { type: 'string', default: '1' },
      kernel: { type: 'string', default: 'wasm' },
      'max-windows': { type: 'string', default: '0' },
      out: { type: 'string', default: 'model.msgpack' },
      dtype: { type: 'string', default: 'f32' },
      checkpoint: { type: 'string' },
      'checkpoint-minutes': { type: 'string', default: '10' },
      resume: { type: 'boolean', default: false },
      report: { type: 'string' },
    },
  });
  if (values.train === undefined) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  const number = (name: keyof typeof values): number => {
    const text = values[name] as string;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `--${name} is ${JSON.stringify(text)}; expected a number`);
    return value;
  };
  const cell = values.cell as CellKind;
  if (!CELL_KINDS.includes(cell)) throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `--cell is ${JSON.stringify(cell)}; expected one of ${CELL_KINDS.join(', ')}`);
  const gateActivation = values['gate-activation'] as GateActivation;
  if (!GATE_ACTIVATIONS.includes(gateActivation)) {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `--gate-activation is ${JSON.stringify(gateActivation)}; expected ${GATE_ACTIVATIONS.join(' or ')}`);
  }
  const spec = values['layer-spec'] === undefined ? null : parseLayerSpec(values['layer-spec']);
  if (gateActivation !== 'sigmoid' && !(spec === null ? hasGates(cell) : spec.some((layer) => hasGates(layer.cell)))) {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `--gate-activation ${gateActivation}: ${spec === null ? `a ${cell} layer has` : 'the layers of --layer-spec have'} no gates`);
  }
  const dtype = values.dtype as TensorDtype;
  if (!['f32', 'f16', 'q8'].includes(dtype)) throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `--dtype is ${JSON.stringify(dtype)}; expected f32, f16 or q8`);

  const trainTokens = readTokenFile(values.train);
  const initial = values.init === undefined ? null : decodeModel(readFileSync(values.init));
  const vocabulary =
    initial !== null
      ? initialVocabulary(initial, values.init as string)
      : values.vocab !== undefined
        ? readTokenFile(values.vocab)
        : buildVocabulary(trainTokens, {
            maxSize: values['vocab-size'] === undefined ? undefined : number('vocab-size'),
            minCount: number('min-count'),
          });
  const trainData = languageModelData(encodeTokens(trainTokens, vocabulary));
  const validData = values.valid === undefined ? null : languageModelData(encodeTokens(readTokenFile(values.valid), vocabulary));
  const V = vocabulary.length;
  // Each layer's kind and size: --layer-spec's, or --layers copies of --cell and --hidden.
  const stack = spec ?? Array.from({ length: number('layers') }, () => ({ cell, hiddenSize: number('hidden') }));
  const model =
    initial ??
    createRandomModel(
      {
        cell: stack[0].cell,
        input: 'embedding',
        vocabSize: V,
        inputSize: values.tie ? stack[stack.length - 1].hiddenSize : number('embedding'),
        hiddenSize: stack[0].hiddenSize,
        numLayers: stack.length,
        head: 'softmax',
        outputSize: V,
        layers: stack.map((layer) => ({ gateActivation: hasGates(layer.cell) ? gateActivation : 'sigmoid', cell: layer.cell, hiddenSize: layer.hiddenSize })),
      },
      { seed: number('seed') },
    );
  const { hiddenSize, inputSize: embeddingSize, numLayers } = model.architecture;
  const mixed = isMixedStack(model.architecture);
  if (initial !== null && initial.head?.weight === initial.embedding && !values.tie) {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `--init ${values.init} shares its embedding with the output layer; pass --tie to keep training it tied`);
  }
  const checkpointPath = values.checkpoint ?? `${values.out}.ckpt`;
  const options = {
    batchSize: number('batch'),
    window: number('window'),
    epochs: number('epochs'),
    optimizer: values.optimizer as 'adam' | 'sgd',
    learningRate: values.lr === undefined ? undefined : number('lr'),
    momentum: number('momentum'),
    weightDecay: number('weight-decay'),
    clipNorm: number('clip'),
    dropout: number('dropout'),
    inputDropout: number('input-dropout'),
    recurrentDropout: number('recurrent-dropout'),
    embeddingDropout: number('embedding-dropout'),
    lrDecay: number('lr-decay'),
    lrDecayThreshold: number('lr-decay-threshold'),
    averageFromEpoch: number('average-from'),
    patience: number('patience'),
    seed: number('seed'),
    tie: values.tie,
    classCount: number('classes'),
    workers: number('workers'),
    kernel: values.kernel as 'wasm' | 'typescript',
    maxWindowsPerEpoch: number('max-windows'),
  };

  // A random model is created untied; --tie makes its output layer the embedding, so that matrix counts once.
  const untiedHead = values.tie && model.head !== null && model.head.weight !== model.embedding;
  const parameterCount = model.parameterCount - (untiedHead ? model.head!.weight.rows * model.head!.weight.cols : 0);
  // The products' kernel as the graphs will pick it, so a log says whether relaxed SIMD was on.
  const wasmKind = options.kernel === 'typescript' ? null : (WasmGemm.create()?.kind ?? null);
  const products = wasmKind !== null ? `wasm ${wasmKind}` : options.kernel === 'typescript' ? 'typescript' : 'typescript (no WebAssembly SIMD here)';
  io.err(
    `training ${mixed ? `layers ${describeLayers(model.architecture)}` : `${model.architecture.cell}${model.architecture.layers !== undefined ? ` (gates ${model.layers.map((layer) => layer.gateActivation).join('/')})` : ''}`}${initial !== null ? ` from ${values.init}` : ''}, ${numLayers} layer(s), embedding ${embeddingSize}, hidden ${mixed ? topHiddenSize(model.architecture) : hiddenSize}${mixed ? ' at the top' : ''}, vocabulary ${V}` +
      `${options.classCount > 0 ? `, ${options.classCount} output classes` : ', full softmax'}; ` +
      `${trainData.inputs.length} training tokens${validData ? `, ${validData.inputs.length} validation tokens` : ''}; ${parameterCount} parameters; products on ${products}\n`,
  );
  const controller = new AbortController();
  io.signal?.addEventListener('abort', () => controller.abort());
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.err(`\nstopping after this window and writing ${checkpointPath} (Ctrl-C again to quit without it)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const windows: TrainProgress[] = [];
  let lastLine = 0;
  let barShown = false;
  const clearBar = (): void => {
    if (barShown) io.err('\r\x1b[K');
    barShown = false;
  };
  let result;
  try {
    result = await train(model, {
      ...options,
      train: trainData,
      validation: validData,
      checkpoint: { path: checkpointPath, everyMinutes: number('checkpoint-minutes') },
      resumeFrom: values.resume ? checkpointPath : null,
      signal: controller.signal,
      onProgress: (p) => {
        windows.push(p);
        if (io.terminal) {
          io.err(`\r\x1b[K${progressBar(p, true)}`);
          barShown = true;
        } else if (performance.now() - lastLine > 10_000 || p.window === p.windowsPerEpoch) {
          lastLine = performance.now();
          io.err(`${progressLine(p, true)}\n`);
        }
      },
      onEpoch: (r) => {
        clearBar();
        io.err(
          `epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)} (ppl ${Math.exp(r.trainLoss).toFixed(1)}), ` +
            `valid loss ${r.validLoss.toFixed(4)} (ppl ${Math.exp(r.validLoss).toFixed(1)}), lr ${r.learningRate.toPrecision(3)}, ` +
            `${formatDuration(r.seconds)}, ${r.tokensPerSecond.toFixed(0)} tokens/s\n`,
        );
      },
      onEvent: (e) => {
        clearBar();
        io.err(`${e.kind}: ${e.message}\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    clearBar();
  }
  const settings = { ...result.options, cell: model.architecture.cell, ...(mixed ? { layers: describeLayers(model.architecture) } : {}), embeddingSize, hiddenSize, numLayers, vocabSize: V, init: values.init ?? null, trainTokens: trainData.inputs.length, validTokens: validData?.inputs.length ?? 0, dtype };
  const summary: string[] = [];
  const last = result.history[result.history.length - 1];
  const best = result.history.reduce((b, r) => (r.validLoss < b.validLoss ? r : b), result.history[0] ?? last);
  if (best) summary.push(`best validation loss ${best.validLoss.toFixed(4)} (perplexity ${Math.exp(best.validLoss).toFixed(2)}) at epoch ${best.epoch}`);
  summary.push(`${result.history.length} epoch(s) in ${formatDuration(result.seconds)}${result.stoppedEarly ? ', stopped early' : ''}${result.divergences ? `, ${result.divergences} divergence roll-back(s)` : ''}`);
  if (result.stopped) {
    // The weights as they stand, so a stopped run can be evaluated or carried
    // on with --init elsewhere; the checkpoint remains the way to resume exactly.
    const stoppedPath = `${values.out.replace(/\.msgpack$/, '')}.stopped.msgpack`;
    const bytes = await exportTrainedModel(stoppedPath, result, { dtype, vocabulary, tokenizer: { kind: 'word', unknownToken: vocabulary[0] } });
    summary.push(`stopped by request; checkpoint ${checkpointPath}; continue with the same command and --resume`);
    summary.push(`wrote the current weights to ${stoppedPath} (${dtype}, ${bytes} bytes)`);
  } else {
    const bytes = await exportTrainedModel(values.out, result, { dtype, vocabulary, tokenizer: { kind: 'word', unknownToken: vocabulary[0] } });
    summary.push(`wrote ${values.out} (${dtype}, ${bytes} bytes)`);
  }
  if (values.report !== undefined) {
    writeFileSync(
      values.report,
      renderHtmlReport({ title: `lstm-stream train: ${values.train}`, history: result.history, windows, settings, summary, perplexity: true }),
    );
    summary.push(`report ${values.report}`);
  }
  io.out(`${summary.join('\n')}\n`);
  return result.stopped ? 130 : 0;
}

/** The vocabulary of a model given with --init; it must be a token language model with one. */
function initialVocabulary(model: Model, path: string): string[] {
  const a = model.architecture;
  if (model.vocabulary === null || a.input !== 'embedding' || a.head !== 'softmax') {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `--init ${path} is not a token language model with a vocabulary`);
  }
  if (!model.layers.every((layer) => layer.weight.dtype === 'f32') || model.head?.weight.dtype !== 'f32') {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `--init ${path} holds quantized weights; start from an f32 or f16 file`);
  }
  return [...model.vocabulary];
}
