import { CELL_KINDS, GATE_ACTIVATIONS, hasGates, type CellKind, type GateActivation } from '../cells/cell.ts';
import { ErrorCode } from '../errors.ts';
import { ConfigError } from './errors.ts';

/** How a step's input reaches the first layer: a token id looked up in an embedding, or a dense vector. */
export type InputKind = 'embedding' | 'dense';

/**
 * The output head o_t = g(V·h_t + b): `softmax` (a step returns the logits;
 * g is applied by the caller that needs probabilities), `linear` (g = identity,
 * for regression) or `none` (a step returns the top layer's h).
 */
export type HeadKind = 'softmax' | 'linear' | 'none';

/**
 * What may differ from one recurrent layer to the next: the gate activation,
 * and the layer's own cell kind and hidden size (Keras stacks often shrink,
 * LSTM(128) → LSTM(64), or put a SimpleRNN under a GRU). The top-level
 * `cell` and `hiddenSize` describe layer 0; a layer's `cell` or `hiddenSize`
 * is present only where it differs from them (validateArchitecture drops the
 * ones that repeat the top level), so read them through {@link cellOf} and
 * {@link hiddenSizeOf}.
 */
export interface LayerArchitecture {
  readonly gateActivation: GateActivation;
  /** This layer's cell kind; absent: the architecture's `cell`. */
  readonly cell?: CellKind;
  /** This layer's hidden size; absent: the architecture's `hiddenSize`. */
  readonly hiddenSize?: number;
}

/** The shape of a model, everything but its weights. Plain data; frozen once validated. */
export interface Architecture {
  /** Layer 0's cell kind, and every layer's unless `layers` says otherwise (see cellOf). */
  readonly cell: CellKind;
  readonly input: InputKind;
  /** Rows of the embedding (token models); 0 for dense input. */
  readonly vocabSize: number;
  /** Width of the first layer's input: the embedding size, or the dense vector length. */
  readonly inputSize: number;
  /** Layer 0's hidden size, and every layer's unless `layers` says otherwise (see hiddenSizeOf; the head reads topHiddenSize). */
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly head: HeadKind;
  /** Width of the head's output (the vocabulary for softmax heads); 0 when head is `none`. */
  readonly outputSize: number;
  /**
   * Per-layer settings, bottom first, one per layer; absent when every layer
   * has the defaults (sigmoid gates, the top-level cell and hiddenSize), so
   * that plain models, their files and their architectures stay as they
   * were. validateArchitecture drops an all-default list.
   */
  readonly layers?: readonly LayerArchitecture[];
}

const INPUT_KINDS: readonly InputKind[] = ['embedding', 'dense'];
const HEAD_KINDS: readonly HeadKind[] = ['softmax', 'linear', 'none'];

/**
 * Checks every field of an architecture and returns a frozen copy.
 * Throws ConfigError (INVALID_CONFIG) naming the first bad field. Cold path.
 */
export function validateArchitecture(architecture: Architecture): Architecture {
  const a = architecture;
  const fail = (field: string, why: string): never => {
    throw new ConfigError(ErrorCode.INVALID_CONFIG, `architecture.${field} ${why}`);
  };
  if (!CELL_KINDS.includes(a.cell)) fail('cell', `is ${JSON.stringify(a.cell)}; expected one of ${CELL_KINDS.join(', ')}`);
  if (!INPUT_KINDS.includes(a.input)) fail('input', `is ${JSON.stringify(a.input)}; expected embedding or dense`);
  if (!HEAD_KINDS.includes(a.head)) fail('head', `is ${JSON.stringify(a.head)}; expected softmax, linear or none`);
  for (const field of ['inputSize', 'hiddenSize', 'numLayers'] as const) {
    if (!isPositiveInteger(a[field])) fail(field, `is ${a[field]}; expected a positive integer`);
  }
  if (a.input === 'embedding' ? !isPositiveInteger(a.vocabSize) : a.vocabSize !== 0) {
    fail('vocabSize', `is ${a.vocabSize}; expected ${a.input === 'embedding' ? 'a positive integer' : '0 for dense input'}`);
  }
  if (a.head === 'none' ? a.outputSize !== 0 : !isPositiveInteger(a.outputSize)) {
    fail('outputSize', `is ${a.outputSize}; expected ${a.head === 'none' ? '0 without a head' : 'a positive integer'}`);
  }
  const layers = validateLayers(a, fail);
  return Object.freeze({
    cell: a.cell,
    input: a.input,
    vocabSize: a.vocabSize,
    inputSize: a.inputSize,
    hiddenSize: a.hiddenSize,
    numLayers: a.numLayers,
    head: a.head,
    outputSize: a.outputSize,
    ...(layers === null ? {} : { layers }),
  });
}

/** The gate activation of layer l (the default, sigmoid, without a `layers` list). O(1). */
export function gateActivationOf(architecture: Architecture, l: number): GateActivation {
  return architecture.layers?.[l]?.gateActivation ?? 'sigmoid';
}

/** The cell kind of layer l: its own, or the top-level `cell`. O(1). */
export function cellOf(architecture: Architecture, l: number): CellKind {
  return architecture.layers?.[l]?.cell ?? architecture.cell;
}

/** The hidden size of layer l: its own, or the top-level `hiddenSize`. O(1). */
export function hiddenSizeOf(architecture: Architecture, l: number): number {
  return architecture.layers?.[l]?.hiddenSize ?? architecture.hiddenSize;
}

/** The input width of layer l: the model's inputSize for layer 0, the hidden size of the layer below otherwise. O(1). */
export function layerInputSizeOf(architecture: Architecture, l: number): number {
  return l === 0 ? architecture.inputSize : hiddenSizeOf(architecture, l - 1);
}

/** The hidden size of the top layer: the width the head (and a headless step's output) reads. O(1). */
export function topHiddenSize(architecture: Architecture): number {
  return hiddenSizeOf(architecture, architecture.numLayers - 1);
}

/** True when some layer's kind or size differs from layer 0's (a model file then needs version 4). O(L). */
export function isMixedStack(architecture: Architecture): boolean {
  return architecture.layers?.some((layer) => layer.cell !== undefined || layer.hiddenSize !== undefined) ?? false;
}

/**
 * Where layer l's h starts in a session's h: the layers' h vectors are laid
 * end to end, bottom first, each of its own size (Σ_{k<l} H_k). O(l).
 */
export function hiddenOffsetOf(architecture: Architecture, l: number): number {
  let offset = 0;
  for (let k = 0; k < l; k++) offset += hiddenSizeOf(architecture, k);
  return offset;
}

/** Floats of a session's h: Σ_l H_l (L·H for a plain stack). O(L). */
export function hiddenStateSize(architecture: Architecture): number {
  return hiddenOffsetOf(architecture, architecture.numLayers);
}

/**
 * Where layer l's cell state C starts in a session's c, or -1 when layer l
 * is not an LSTM: only LSTM layers have a C, laid end to end bottom first. O(l).
 */
export function cellStateOffsetOf(architecture: Architecture, l: number): number {
  if (cellOf(architecture, l) !== 'lstm') return -1;
  let offset = 0;
  for (let k = 0; k < l; k++) if (cellOf(architecture, k) === 'lstm') offset += hiddenSizeOf(architecture, k);
  return offset;
}

/** Floats of a session's c: Σ H_l over the LSTM layers (0 without one). O(L). */
export function cellStateSize(architecture: Architecture): number {
  let size = 0;
  for (let l = 0; l < architecture.numLayers; l++) if (cellOf(architecture, l) === 'lstm') size += hiddenSizeOf(architecture, l);
  return size;
}

/** Floats of a session's snapshot: h, then c. O(L). */
export function stateSizeOf(architecture: Architecture): number {
  return hiddenStateSize(architecture) + cellStateSize(architecture);
}

/** "lstm:128, gru:64" — each layer's kind and size, bottom first, for messages and `inspect`. O(L). */
export function describeLayers(architecture: Architecture): string {
  const parts: string[] = [];
  for (let l = 0; l < architecture.numLayers; l++) {
    const gates = gateActivationOf(architecture, l) === 'sigmoid' ? '' : ` (${gateActivationOf(architecture, l)})`;
    parts.push(`${cellOf(architecture, l)}:${hiddenSizeOf(architecture, l)}${gates}`);
  }
  return parts.join(', ');
}

/** A checked, frozen copy of `a.layers`, or null when it is absent or every layer has the defaults. */
function validateLayers(a: Architecture, fail: (field: string, why: string) => never): readonly LayerArchitecture[] | null {
  const layers: unknown = a.layers;
  if (layers === undefined) return null;
  if (!Array.isArray(layers) || layers.length !== a.numLayers) {
    fail('layers', `is ${Array.isArray(layers) ? `a list of ${layers.length}` : typeof layers}; expected a list of numLayers (${a.numLayers}) layer settings`);
  }
  const checked = (layers as unknown[]).map((layer, l): LayerArchitecture => {
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) fail(`layers[${l}]`, 'is not a map of layer settings');
    const entry = layer as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!LAYER_FIELDS.includes(key)) fail(`layers[${l}]`, `has unknown field ${JSON.stringify(key)}`);
    const cell = entry.cell ?? a.cell;
    if (!CELL_KINDS.includes(cell as CellKind)) fail(`layers[${l}].cell`, `is ${JSON.stringify(cell)}; expected one of ${CELL_KINDS.join(', ')}`);
    const hiddenSize = entry.hiddenSize ?? a.hiddenSize;
    if (!isPositiveInteger(hiddenSize)) fail(`layers[${l}].hiddenSize`, `is ${String(hiddenSize)}; expected a positive integer`);
    // Layer 0 is the top level's: a second, different answer would be ambiguous.
    if (l === 0 && cell !== a.cell) fail('layers[0].cell', `is ${JSON.stringify(cell)}, but architecture.cell (layer 0) is ${JSON.stringify(a.cell)}`);
    if (l === 0 && hiddenSize !== a.hiddenSize) fail('layers[0].hiddenSize', `is ${String(hiddenSize)}, but architecture.hiddenSize (layer 0) is ${a.hiddenSize}`);
    const gateActivation = entry.gateActivation ?? 'sigmoid';
    if (!GATE_ACTIVATIONS.includes(gateActivation as GateActivation)) {
      fail(`layers[${l}].gateActivation`, `is ${JSON.stringify(gateActivation)}; expected ${GATE_ACTIVATIONS.join(' or ')}`);
    }
    if (gateActivation !== 'sigmoid' && !hasGates(cell as CellKind)) fail(`layers[${l}].gateActivation`, `is ${JSON.stringify(gateActivation)}, but a ${String(cell)} layer has no gates`);
    // Only what differs from the top level is kept, so equal architectures have equal shapes (and files equal bytes).
    return Object.freeze({
      gateActivation: gateActivation as GateActivation,
      ...(cell === a.cell ? {} : { cell: cell as CellKind }),
      ...(hiddenSize === a.hiddenSize ? {} : { hiddenSize: hiddenSize as number }),
    });
  });
  const plain = checked.every((layer) => layer.gateActivation === 'sigmoid' && layer.cell === undefined && layer.hiddenSize === undefined);
  return plain ? null : Object.freeze(checked);
}

const LAYER_FIELDS: readonly string[] = ['gateActivation', 'cell', 'hiddenSize'];

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
