import { ErrorCode, LstmStreamError } from '../errors.ts';
import { loadModel } from '../format/load-model.ts';
import type { Model } from '../model/model.ts';
import { DEFAULT_MODEL, defaultModelPath } from './default-model.ts';

/** Loads the model a command names, or the shipped default when it names none. */
export async function loadModelArgument(path: string | undefined): Promise<Model> {
  const resolved = path ?? defaultModelPath();
  if (resolved === null) {
    throw new LstmStreamError(ErrorCode.SOURCE_READ_FAILED, `no model given and the default model ${DEFAULT_MODEL} is not in this checkout`);
  }
  return loadModel(resolved);
}

/** True when a positional argument names a model file rather than text. */
export function looksLikeModelPath(argument: string): boolean {
  return /\.(msgpack|lsm)$/i.test(argument);
}
