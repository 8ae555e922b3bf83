import { CELL_KINDS, type CellKind } from '../cells/cell.ts';
import { ErrorCode } from '../errors.ts';
import { TrainingError } from '../train/errors.ts';

/** One layer of a `--layer-spec`: its cell kind and hidden size. */
export interface LayerSpec {
  readonly cell: CellKind;
  readonly hiddenSize: number;
}

// A spec longer than this is a mistake, not a model (the layer count of real stacks is a handful).
const MAX_LAYERS = 64;
const MAX_HIDDEN = 1 << 16;

/**
 * Parses `train --layer-spec`: comma-separated `KIND:SIZE` entries, bottom
 * layer first, e.g. `lstm:128,gru:64` (a stack whose layers differ in kind
 * and size, as Keras stacks often do). Throws TrainingError
 * (TRAINING_OPTION_INVALID) naming the entry that is wrong. Cold path.
 */
export function parseLayerSpec(text: string): LayerSpec[] {
  const fail = (why: string): never => {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `--layer-spec ${JSON.stringify(text)}: ${why}; expected KIND:SIZE entries such as lstm:128,gru:64`);
  };
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.length > MAX_LAYERS) fail(`${entries.length} layers, more than ${MAX_LAYERS}`);
  return entries.map((entry, l) => {
    const match = /^([a-z-]+):(\d+)$/.exec(entry);
    if (match === null) return fail(`layer ${l} is ${JSON.stringify(entry)}`);
    const cell = match[1] as CellKind;
    if (!CELL_KINDS.includes(cell)) fail(`layer ${l} has kind ${JSON.stringify(match[1])}, not one of ${CELL_KINDS.join(', ')}`);
    const hiddenSize = Number(match[2]);
    if (!(hiddenSize >= 1 && hiddenSize <= MAX_HIDDEN)) fail(`layer ${l} has size ${match[2]}, not in 1 … ${MAX_HIDDEN}`);
    return { cell, hiddenSize };
  });
}
