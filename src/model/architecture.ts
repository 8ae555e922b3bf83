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
 * What may differ from one recurrent layer to the next. Today the gate
 * activation; the place where a layer's own kind and size will go when
 * stacks may mix them (issue 16, item 3), with the top-level `cell` and
 * `hiddenSize` then describing layer 0.
 */
export interface LayerArchitecture {
  readonly gateActivation: GateActivation;
}

/** The shape of a model, everything but its weights. Plain data; frozen once validated. */
export interface Architecture {
  readonly cell: CellKind;
  readonly input: InputKind;
  /** Rows of the embedding (token models); 0 for dense input. */
  readonly vocabSize: number;
  /** Width of the first layer's input: the embedding size, or the dense vector length. */
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly head: HeadKind;
  /** Width of the head's output (the vocabulary for softmax heads); 0 when head is `none`. */
  readonly outputSize: number;
  /**
   * Per-layer settings, bottom first, one per layer; absent when every layer
   * has the defaults (sigmoid gates), so that plain models, their files and
   * their architectures stay as they were. validateArchitecture drops an
   * all-default list.
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

/** The gate activation of layer l (the default, sigmoid, without a `layers` list). */
export function gateActivationOf(architecture: Architecture, l: number): GateActivation {
  return architecture.layers?.[l]?.gateActivation ?? 'sigmoid';
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
    for (const key of Object.keys(entry)) if (key !== 'gateActivation') fail(`layers[${l}]`, `has unknown field ${JSON.stringify(key)}`);
    const gateActivation = entry.gateActivation ?? 'sigmoid';
    if (!GATE_ACTIVATIONS.includes(gateActivation as GateActivation)) {
      fail(`layers[${l}].gateActivation`, `is ${JSON.stringify(gateActivation)}; expected ${GATE_ACTIVATIONS.join(' or ')}`);
    }
    if (gateActivation !== 'sigmoid' && !hasGates(a.cell)) fail(`layers[${l}].gateActivation`, `is ${JSON.stringify(gateActivation)}, but a ${a.cell} layer has no gates`);
    return Object.freeze({ gateActivation: gateActivation as GateActivation });
  });
  return checked.every((layer) => layer.gateActivation === 'sigmoid') ? null : Object.freeze(checked);
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
