import { ErrorCode, LstmStreamError } from '../../errors.ts';
import type { Model } from '../../model/model.ts';
import { fromTorchStateDict, type FromTorchOptions, type TorchTensor } from '../../model/torch-state-dict.ts';
import { InteropError } from '../errors.ts';
import { AllocationBudget, resolveInteropLimits } from '../limits.ts';
import { withExtras } from '../model-extras.ts';
import { decodeSafetensorsEntry, parseSafetensors, type ReadSafetensorsOptions } from './read-safetensors.ts';
import { mapTorchKeys, type TorchKeyMap } from './torch-key-map.ts';

/** Options of {@link importSafetensors}: limits, the key mapping, and fromTorchStateDict's cell and head. */
export interface ImportSafetensorsOptions extends ReadSafetensorsOptions, FromTorchOptions {
  /** Renames (or drops) tensors before the model is built; see {@link mapTorchKeys} for the defaults. */
  readonly keyMap?: TorchKeyMap;
}

/**
 * Builds a Model from a PyTorch state dict saved as safetensors (F32, F16 or
 * BF16): parses and checks the file, maps the names (keyMap, then the
 * defaults: `encoder.weight`, `lstm.weight_ih_l0`, `decoder.weight`,
 * `module.` prefixes …), decodes only the tensors kept, and hands them to
 * fromTorchStateDict. A head whose weight was dropped as a duplicate of the
 * embedding (tied weights, as safetensors' save_model stores them) is tied
 * back. Throws InteropError: file errors (SAFETENSORS_INVALID, TRUNCATED,
 * LIMIT_EXCEEDED, TENSOR_DTYPE_UNSUPPORTED) and the model's codes
 * (MISSING_TENSOR, TENSOR_SHAPE_MISMATCH …) naming the file's tensor.
 * Cold path: the f32 values once, then the model's copy.
 */
export function importSafetensors(bytes: Uint8Array, options: ImportSafetensorsOptions = {}): Model {
  const budget = options.budget ?? new AllocationBudget(resolveInteropLimits(options));
  const file = parseSafetensors(bytes, options);
  const byName = new Map(file.entries.map((entry) => [entry.name, entry]));
  const pairs = mapTorchKeys(file.entries.map((entry) => entry.name), options.keyMap);
  const tensors: Record<string, TorchTensor> = Object.create(null);
  for (const [from, to] of pairs) tensors[to] = decodeSafetensorsEntry(byName.get(from)!, budget);
  const embedding = tensors['emb.weight'];
  const recurrent = tensors['rnn.weight_hh_l0'] ?? tensors['weight_hh_l0'];
  const tiedShapeFits = embedding !== undefined && recurrent !== undefined && tensors['out.bias']?.shape[0] === embedding.shape[0] && recurrent.shape[1] === embedding.shape[1];
  if (tiedShapeFits && tensors['out.weight'] === undefined) tensors['out.weight'] = embedding;
  try {
    const model = fromTorchStateDict(tensors, { cell: options.cell, head: options.head });
    return withExtras(model, file.metadata, 'safetensors __metadata__', ErrorCode.SAFETENSORS_INVALID);
  } catch (error) {
    if (error instanceof LstmStreamError && !(error instanceof InteropError)) {
      const renamed = pairs.filter(([from, to]) => from !== to).map(([from, to]) => `${from} → ${to}`);
      const note = renamed.length === 0 ? '' : ` (names mapped: ${renamed.slice(0, 8).join(', ')}${renamed.length > 8 ? ', …' : ''})`;
      throw new InteropError(error.code, `safetensors state dict: ${error.message}${note}`, { cause: error });
    }
    throw error;
  }
}

