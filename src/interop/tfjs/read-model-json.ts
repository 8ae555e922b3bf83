import { ErrorCode } from '../../errors.ts';
import { InteropError } from '../errors.ts';
import type { ResolvedInteropLimits } from '../limits.ts';

/** One Keras layer of the chain, as model.json declares it: its class, name and (snake_case) config. */
export interface KerasLayer {
  readonly className: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** One weight as the manifest declares it, before any byte is read. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
}

/** One manifest group: its shard paths, in order, and the weights packed into their concatenation. */
export interface WeightGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightSpec[];
}

/** What {@link readModelJson} finds: the layers bottom first, the Keras version string, the weight groups. */
export interface TfjsModelJson {
  readonly layers: readonly KerasLayer[];
  /** `keras_version` of the topology ("tfjs-layers 4.22.0", "2.15.0", "3.3.3"), or '' when absent. */
  readonly kerasVersion: string;
  readonly groups: readonly WeightGroup[];
  /** The string entries of `userDefinedMetadata` (where our exporter keeps vocabulary, tokenizer and metadata). */
  readonly strings: Readonly<Record<string, string>>;
}

const invalid = (message: string): never => {
  throw new InteropError(ErrorCode.TFJS_INVALID, `model.json: ${message}`);
};

/**
 * Parses a TensorFlow.js Layers model.json (as `tf.LayersModel.save` and
 * tensorflowjs_converter write it) into the layer chain and the weights
 * manifest. Accepts the JSON text, its UTF-8 bytes or the parsed object.
 * The topology is `modelTopology` itself ({class_name, config}) or, from the
 * Python converter, `modelTopology.model_config`; Sequential and
 * Model/Functional are read; a functional graph must be one chain (each
 * layer's only input is the layer before it). Throws InteropError:
 * LIMIT_EXCEEDED for text over maxJsonBytes or more shards than maxShards,
 * TFJS_INVALID for JSON that is not such a model.json (naming the field),
 * TFJS_UNSUPPORTED for a graph that is not a chain. Nothing is allocated
 * from declared sizes here. Cold path: one JSON.parse and one walk.
 */
export function readModelJson(source: string | Uint8Array | object, limits: ResolvedInteropLimits): TfjsModelJson {
  const root = parseRoot(source, limits);
  const topologyField = root.modelTopology;
  if (!isRecord(topologyField)) invalid('modelTopology is missing or not an object');
  const topology = topologyField as Record<string, unknown>;
  const model = isRecord(topology.model_config) ? topology.model_config : topology;
  const kerasVersion = typeof topology.keras_version === 'string' ? topology.keras_version : '';
  const strings: Record<string, string> = Object.create(null);
  if (isRecord(root.userDefinedMetadata)) {
    for (const [key, value] of Object.entries(root.userDefinedMetadata)) if (typeof value === 'string') strings[key] = value;
  }
  return { layers: layerChain(model), kerasVersion, groups: manifestOf(root.weightsManifest, limits), strings };
}

/**
 * The weight shard paths a model.json lists, in manifest order, and the
 * parsed JSON (to hand to importTfjsLayers without parsing it again), for a
 * caller that reads the shards from files beside model.json. Refuses
 * (TFJS_INVALID) a path that could leave that folder: absolute, a URL, a
 * drive letter, a backslash or a `..` part. Same limits and errors as
 * {@link readModelJson} for the JSON and the manifest. Cold path.
 */
export function readWeightPaths(source: string | Uint8Array | object, limits: ResolvedInteropLimits): { json: object; paths: string[] } {
  const root = parseRoot(source, limits);
  const paths = manifestOf(root.weightsManifest, limits).flatMap((group) => group.paths);
  for (const path of paths) {
    if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes(':') || path.split('/').some((part) => part === '..')) {
      invalid(`weight path ${JSON.stringify(path)} is not a file name beside model.json (absolute paths, URLs and .. are refused)`);
    }
  }
  return { json: root, paths };
}

function parseRoot(source: string | Uint8Array | object, limits: ResolvedInteropLimits): Record<string, unknown> {
  let parsed: unknown = source;
  if (typeof source === 'string' || source instanceof Uint8Array) {
    // A string's length in UTF-16 units bounds its UTF-8 size from below; both are checked against the same limit.
    if (source.length > limits.maxJsonBytes) {
      throw new InteropError(ErrorCode.LIMIT_EXCEEDED, `model.json is ${source.length} ${typeof source === 'string' ? 'characters' : 'bytes'}, over the maxJsonBytes limit of ${limits.maxJsonBytes}`);
    }
    let text: string;
    try {
      text = typeof source === 'string' ? source : new TextDecoder('utf-8', { fatal: true }).decode(source);
    } catch (error) {
      throw new InteropError(ErrorCode.TFJS_INVALID, 'model.json is not valid UTF-8', { cause: error });
    }
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      // SyntaxError for damaged text; a RangeError would be nesting past the parser's depth.
      throw new InteropError(ErrorCode.TFJS_INVALID, `model.json is not valid JSON (${(error as Error).message})`, { cause: error });
    }
  }
  if (!isRecord(parsed)) invalid('the top level is not a JSON object');
  return parsed as Record<string, unknown>;
}

/** The topology's layers, bottom first, checked to be one chain. */
function layerChain(model: Record<string, unknown>): KerasLayer[] {
  const className = model.class_name;
  const config = model.config;
  if (className === 'Sequential') {
    // Keras 2.0 wrote a Sequential's config as the bare layer list.
    const list = Array.isArray(config) ? config : isRecord(config) ? config.layers : undefined;
    if (!Array.isArray(list)) invalid('the Sequential topology has no config.layers list');
    return (list as unknown[]).map((entry, i) => layerOf(entry, `layer ${i}`));
  }
  if (className === 'Model' || className === 'Functional') {
    if (!isRecord(config) || !Array.isArray(config.layers)) invalid(`the ${className} topology has no config.layers list`);
    const entries = (config as Record<string, unknown>).layers as unknown[];
    const layers = entries.map((entry, i) => layerOf(entry, `layer ${i}`));
    // A chain: layer k's only inbound layer is layer k − 1 (the first has none).
    entries.forEach((entry, k) => {
      const inbound = inboundNames((entry as Record<string, unknown>).inbound_nodes, layers[k].name);
      const expected = k === 0 ? [] : [layers[k - 1].name];
      if (inbound.length !== expected.length || inbound.some((name, i) => name !== expected[i])) {
        throw new InteropError(
          ErrorCode.TFJS_UNSUPPORTED,
          `model.json: layer ${JSON.stringify(layers[k].name)} (${layers[k].className}) reads [${inbound.map((n) => JSON.stringify(n)).join(', ')}]; only a plain chain (each layer reading the one listed before it) is supported`,
        );
      }
    });
    return layers;
  }
  throw new InteropError(ErrorCode.TFJS_UNSUPPORTED, `model.json: topology class ${JSON.stringify(className)} is not supported; expected Sequential, Model or Functional`);
}

function layerOf(entry: unknown, where: string): KerasLayer {
  if (!isRecord(entry)) invalid(`${where} is not an object`);
  const record = entry as Record<string, unknown>;
  const className = record.class_name;
  if (typeof className !== 'string') invalid(`${where} has no class_name string`);
  const config = record.config;
  if (!isRecord(config)) invalid(`${where} (${String(className)}) has no config object`);
  const name = (config as Record<string, unknown>).name ?? record.name;
  if (typeof name !== 'string') invalid(`${where} (${String(className)}) has no name`);
  return { className: className as string, name: name as string, config: config as Record<string, unknown> };
}

/**
 * The layer names a functional layer reads, from Keras 2's inbound_nodes
 * [[[name, node, tensor, kwargs], …]] or Keras 3's [{args: [{config: {keras_history: [name, …]}}]}].
 */
function inboundNames(nodes: unknown, layer: string): string[] {
  if (nodes === undefined || nodes === null) return [];
  if (!Array.isArray(nodes)) invalid(`layer ${JSON.stringify(layer)} has inbound_nodes that are not a list`);
  const list = nodes as unknown[];
  if (list.length > 1) {
    throw new InteropError(ErrorCode.TFJS_UNSUPPORTED, `model.json: layer ${JSON.stringify(layer)} is called ${list.length} times (shared layer); only a plain chain is supported`);
  }
  if (list.length === 0) return [];
  const node = list[0];
  if (Array.isArray(node)) {
    return node.map((ref) => (Array.isArray(ref) && typeof ref[0] === 'string' ? ref[0] : invalid(`layer ${JSON.stringify(layer)} has an inbound node that is not [name, node, tensor, kwargs]`)));
  }
  if (isRecord(node) && Array.isArray(node.args)) {
    return (node.args as unknown[]).map((arg) => {
      const history = isRecord(arg) && isRecord(arg.config) ? arg.config.keras_history : undefined;
      return Array.isArray(history) && typeof history[0] === 'string' ? history[0] : invalid(`layer ${JSON.stringify(layer)} has an inbound argument without keras_history`);
    });
  }
  return invalid(`layer ${JSON.stringify(layer)} has an inbound node of an unknown form`);
}

/** The weightsManifest groups, with every path and spec checked for form (sizes are checked when read). */
function manifestOf(manifest: unknown, limits: ResolvedInteropLimits): WeightGroup[] {
  if (!Array.isArray(manifest)) invalid('weightsManifest is missing or not a list');
  let shardCount = 0;
  return (manifest as unknown[]).map((group, g) => {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) invalid(`weightsManifest[${g}] is not {paths: [...], weights: [...]}`);
    const { paths, weights } = group as { paths: unknown[]; weights: unknown[] };
    shardCount += paths.length;
    if (shardCount > limits.maxShards) {
      throw new InteropError(ErrorCode.LIMIT_EXCEEDED, `model.json lists more than ${limits.maxShards} weight shards (the maxShards limit)`);
    }
    paths.forEach((path, i) => {
      if (typeof path !== 'string') invalid(`weightsManifest[${g}].paths[${i}] is not a string`);
    });
    const specs = weights.map((spec, i): WeightSpec => {
      const where = `weightsManifest[${g}].weights[${i}]`;
      if (!isRecord(spec) || typeof spec.name !== 'string' || typeof spec.dtype !== 'string' || !Array.isArray(spec.shape)) {
        invalid(`${where} is not {name, shape, dtype}`);
      }
      const s = spec as { name: string; dtype: string; shape: unknown[] };
      if (!s.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0) || s.shape.length > 8) {
        invalid(`${where} (${JSON.stringify(s.name)}) has shape ${JSON.stringify(s.shape).slice(0, 80)}; expected up to 8 non-negative integers`);
      }
      if (isRecord((spec as Record<string, unknown>).quantization)) {
        throw new InteropError(ErrorCode.TFJS_UNSUPPORTED, `model.json: weight ${JSON.stringify(s.name)} is quantized (tensorflowjs_converter --quantize_*); convert the model without quantization`);
      }
      return { name: s.name, shape: s.shape as number[], dtype: s.dtype };
    });
    return { paths: paths as string[], weights: specs };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
