import { dirname, join } from 'node:path';
import { describeLayers, isMixedStack } from '../../model/architecture.ts';
import { parseArgs } from 'node:util';
import { CELL_KINDS, type CellKind } from '../../cells/cell.ts';
import { ErrorCode } from '../../errors.ts';
import { loadModel } from '../../format/load-model.ts';
import { TENSOR_DTYPES, type TensorDtype } from '../../format/model-file.ts';
import { saveModel } from '../../format/save-model.ts';
import { InteropError } from '../../interop/errors.ts';
import { DEFAULT_INTEROP_LIMITS } from '../../interop/limits.ts';
import { exportOnnx } from '../../interop/onnx/export-onnx.ts';
import { importOnnx } from '../../interop/onnx/import-onnx.ts';
import { importSafetensors } from '../../interop/safetensors/import-safetensors.ts';
import { exportTfjsLayers } from '../../interop/tfjs/export-tfjs.ts';
import { importTfjsLayers } from '../../interop/tfjs/import-tfjs.ts';
import { readWeightPaths } from '../../interop/tfjs/read-model-json.ts';
import { SAFETENSORS_FLOAT_DTYPES, type SafetensorsFloatDtype } from '../../interop/safetensors/safetensors-dtypes.ts';
import { exportSafetensors } from '../../interop/safetensors/write-safetensors.ts';
import { readFileBytes } from '../../io/read-file.ts';
import { writeFileAtomic } from '../../io/write-file-atomic.ts';
import { Model } from '../../model/model.ts';
import type { Command } from '../command.ts';

const USAGE = (): string => `usage: lstm-stream convert IN OUT [--dtype TYPE] [--block-size N]
                          [--cell KIND] [--head softmax|linear]
                          [--map FROM=TO ...] [--vocabulary FILE]

Converts a model between file kinds, chosen by extension:
  .safetensors  a PyTorch state dict (F32, F16 or BF16), as safetensors.torch.save_file writes it
  .onnx         an ONNX graph of LSTM, GRU or RNN nodes (torch.onnx.export of nn.LSTM / nn.GRU / nn.RNN)
  .msgpack      an lstm-stream model file
  .json         a TensorFlow.js Layers model.json, as tf.LayersModel.save or
                tensorflowjs_converter writes it, its weight shards beside it
                (written: one shard, group1-shard1of1.bin, beside OUT; f32)

--dtype        .msgpack output: f32 (default), ${TENSOR_DTYPES.filter((d) => d !== 'f32').join(', ')}; --block-size N
               gives a quantized type one scale per N columns (default: one per row).
               .safetensors output: f32 (default), f16 or bf16. .onnx output is f32:
               quantized and f16 weights are dequantized.
--cell         the cell kind of a safetensors state dict: lstm, gru, gru-reset-before,
               rnn-tanh or rnn-relu (default: lstm when weight_hh has 4H rows, gru
               (nn.GRU) when 3H, else rnn-tanh). gru-reset-before reads nn.GRU's names
               for a GRU that resets h before the hidden product (Keras reset_after=False).
--head         the head kind when the file does not say (default: softmax for
               token input, linear for dense input).
--map FROM=TO  renames a safetensors tensor to the name lstm-stream reads
               (emb.weight, rnn.weight_ih_l0, …, out.weight, out.bias); FROM= drops it.
               Common names (encoder/lstm/decoder, module. prefixes) map by default.
--vocabulary   a file with one token per line (or a JSON array), stored in the model.`;

type FileKind = 'safetensors' | 'onnx' | 'msgpack' | 'tfjs';

/** `lstm-stream convert IN OUT`: between safetensors, ONNX, TensorFlow.js Layers (model.json) and the lstm-stream model file. */
export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert a model between safetensors, ONNX, TensorFlow.js and the lstm-stream file',
  get usage() {
    return USAGE();
  },
  run: (args) => runConvert(args, (text) => process.stdout.write(text)),
};

/** The command's body, writing its report through `write` (tests capture it). Resolves to the exit code. */
export async function runConvert(args: string[], write: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dtype: { type: 'string' },
      'block-size': { type: 'string' },
      cell: { type: 'string' },
      head: { type: 'string' },
      map: { type: 'string', multiple: true },
      vocabulary: { type: 'string' },
    },
  });
  if (positionals.length !== 2) {
    write(`${USAGE()}\n`);
    return 2;
  }
  const [input, output] = positionals;
  const from = kindOf(input);
  const to = kindOf(output);
  const cell = values.cell as CellKind | undefined;
  if (cell !== undefined && !CELL_KINDS.includes(cell)) throw optionError(`--cell ${JSON.stringify(cell)}: expected one of ${CELL_KINDS.join(', ')}`);
  const head = values.head as 'softmax' | 'linear' | undefined;
  if (head !== undefined && head !== 'softmax' && head !== 'linear') throw optionError(`--head ${JSON.stringify(head)}: expected softmax or linear`);
  const keyMap = parseKeyMap(values.map ?? []);
  const blockSize = values['block-size'] === undefined ? undefined : Number(values['block-size']);
  if (blockSize !== undefined && !(values.dtype?.startsWith('q') && to === 'msgpack')) throw optionError('--block-size applies to a quantized --dtype (q8 …) with .msgpack output only');

  let model: Model;
  if (from === 'msgpack') {
    model = await loadModel(input);
  } else if (from === 'tfjs') {
    model = await readTfjs(input);
  } else {
    const bytes = await readFileBytes(input, DEFAULT_INTEROP_LIMITS.maxBytes);
    model = from === 'onnx' ? importOnnx(bytes, { head }) : importSafetensors(bytes, { cell, head, keyMap });
  }
  if (values.vocabulary !== undefined) model = withVocabulary(model, await readVocabulary(values.vocabulary));

  let written: number;
  let storage: string;
  if (to === 'msgpack') {
    const dtype = (values.dtype ?? 'f32') as TensorDtype;
    if (!TENSOR_DTYPES.includes(dtype)) throw optionError(`--dtype ${JSON.stringify(dtype)} for .msgpack output: expected one of ${TENSOR_DTYPES.join(', ')}`);
    written = await saveModel(output, model, { dtype, blockSize });
    storage = dtype;
  } else if (to === 'safetensors') {
    const dtype = (values.dtype ?? 'f32').toUpperCase() as SafetensorsFloatDtype;
    if (!SAFETENSORS_FLOAT_DTYPES.includes(dtype)) throw optionError(`--dtype ${JSON.stringify(values.dtype)} for .safetensors output: expected f32, f16 or bf16`);
    const bytes = exportSafetensors(model, { dtype });
    await writeFileAtomic(output, bytes);
    written = bytes.length;
    storage = dtype;
  } else if (to === 'tfjs') {
    if (values.dtype !== undefined && values.dtype !== 'f32') throw optionError(`--dtype ${JSON.stringify(values.dtype)} for .json output: TensorFlow.js output is f32`);
    const files = exportTfjsLayers(model);
    // The shard first, so that a model.json never names a shard that is not there.
    await writeFileAtomic(join(dirname(output), files.shardPath), files.weights);
    const json = new TextEncoder().encode(files.modelJson);
    await writeFileAtomic(output, json);
    written = json.length + files.weights.length;
    storage = 'f32';
  } else {
    if (values.dtype !== undefined && values.dtype !== 'f32') throw optionError(`--dtype ${JSON.stringify(values.dtype)} for .onnx output: ONNX output is f32`);
    const bytes = exportOnnx(model);
    await writeFileAtomic(output, bytes);
    written = bytes.length;
    storage = 'f32';
  }
  write(`${input} (${from}) → ${output} (${to}, ${storage}, ${written} bytes): ${describe(model)}\n`);
  return 0;
}

function kindOf(path: string): FileKind {
  const lower = path.toLowerCase();
  if (lower.endsWith('.safetensors')) return 'safetensors';
  if (lower.endsWith('.onnx')) return 'onnx';
  if (lower.endsWith('.msgpack')) return 'msgpack';
  if (lower.endsWith('.json')) return 'tfjs';
  throw new InteropError(ErrorCode.FILE_KIND_UNKNOWN, `${path}: unknown file kind; name it .safetensors, .onnx, .msgpack or (TensorFlow.js) .json`);
}

/** A TensorFlow.js model.json and the shards it lists, read from beside it; each file within the reader's limits. */
async function readTfjs(path: string): Promise<Model> {
  const limits = DEFAULT_INTEROP_LIMITS;
  const { json, paths } = readWeightPaths(await readFileBytes(path, limits.maxJsonBytes), limits);
  const shards: Record<string, Uint8Array> = Object.create(null);
  let total = 0;
  for (const shard of paths) {
    if (shard in shards) continue;
    shards[shard] = await readFileBytes(join(dirname(path), shard), limits.maxBytes - total);
    total += shards[shard].length;
  }
  return importTfjsLayers(json, shards);
}

function parseKeyMap(entries: readonly string[]): Record<string, string | null> | undefined {
  if (entries.length === 0) return undefined;
  const map: Record<string, string | null> = Object.create(null);
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at <= 0) throw optionError(`--map ${JSON.stringify(entry)}: expected FROM=TO (or FROM= to drop the tensor)`);
    const target = entry.slice(at + 1);
    map[entry.slice(0, at)] = target === '' ? null : target;
  }
  return map;
}

async function readVocabulary(path: string): Promise<string[]> {
  const text = new TextDecoder().decode(await readFileBytes(path, 1 << 30));
  if (path.toLowerCase().endsWith('.json')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || !parsed.every((t) => typeof t === 'string')) throw optionError(`--vocabulary ${path}: expected a JSON array of strings`);
    return parsed;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => line.replace(/\r$/, ''));
}

function withVocabulary(model: Model, vocabulary: string[]): Model {
  return new Model({ embedding: model.embedding, layers: model.layers, head: model.head, vocabulary, tokenizer: model.tokenizer, metadata: model.metadata });
}

function describe(model: Model): string {
  const a = model.architecture;
  const input = a.input === 'embedding' ? `embedding ${a.vocabSize}×${a.inputSize}` : `dense input ${a.inputSize}`;
  const head = a.head === 'none' ? 'no head' : `${a.head} head ${a.outputSize}`;
  if (isMixedStack(a)) return `${a.numLayers} layers (${describeLayers(a)}), ${input}, ${head}, ${model.parameterCount} parameters`;
  const gates = a.layers === undefined ? '' : ` (gates ${a.layers.map((layer) => layer.gateActivation).join(' / ')})`;
  return `${a.numLayers}-layer ${a.cell}${gates}, ${input}, hidden ${a.hiddenSize}, ${head}, ${model.parameterCount} parameters`;
}

function optionError(message: string): InteropError {
  return new InteropError(ErrorCode.CONVERT_OPTION_INVALID, message);
}
