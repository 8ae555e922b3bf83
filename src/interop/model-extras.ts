import { LstmStreamError } from '../errors.ts';
import { Model, type TokenizerSettings } from '../model/model.ts';
import { InteropError } from './errors.ts';

/**
 * The string keys under which a model's vocabulary, tokenizer settings and
 * metadata travel (as JSON) in other tools' files: ONNX metadata_props and
 * the safetensors `__metadata__`. Other tools ignore them; our importers
 * read them back, so a text model survives a round trip.
 */
export const EXTRA_KEYS = {
  vocabulary: 'lstm_stream.vocabulary',
  tokenizer: 'lstm_stream.tokenizer',
  metadata: 'lstm_stream.metadata',
} as const;

/**
 * A model's vocabulary, tokenizer and metadata as JSON strings under
 * {@link EXTRA_KEYS}, leaving out the parts it does not have (and metadata
 * that JSON cannot carry, such as BigInts). Cold path.
 */
export function extrasOf(model: Model): Record<string, string> {
  const extras: Record<string, string> = {};
  if (model.vocabulary !== null) extras[EXTRA_KEYS.vocabulary] = JSON.stringify(model.vocabulary);
  if (model.tokenizer !== null) extras[EXTRA_KEYS.tokenizer] = JSON.stringify(model.tokenizer);
  if (Object.keys(model.metadata).length > 0) {
    try {
      extras[EXTRA_KEYS.metadata] = JSON.stringify(model.metadata);
    } catch {
      // Metadata JSON cannot hold stays in our own format only.
    }
  }
  return extras;
}

/**
 * The model with the vocabulary, tokenizer and metadata found under
 * {@link EXTRA_KEYS} in `strings` attached; the model itself when none is
 * there. Throws InteropError (`code`, naming `where` and the key) for a value
 * that is not the JSON it should be, and the model's codes (kept) for a
 * vocabulary that does not fit. Cold path.
 */
export function withExtras(model: Model, strings: Readonly<Record<string, string>>, where: string, code: string): Model {
  const parse = (key: string): unknown => {
    const text = Object.hasOwn(strings, key) ? strings[key] : undefined;
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new InteropError(code, `${where} ${key} is not valid JSON`, { cause: error });
    }
  };
  const vocabulary = parse(EXTRA_KEYS.vocabulary);
  const tokenizer = parse(EXTRA_KEYS.tokenizer);
  const metadata = parse(EXTRA_KEYS.metadata);
  if (vocabulary === undefined && tokenizer === undefined && metadata === undefined) return model;
  if (vocabulary !== undefined && !(Array.isArray(vocabulary) && vocabulary.every((token) => typeof token === 'string'))) {
    throw new InteropError(code, `${where} ${EXTRA_KEYS.vocabulary} is not a JSON array of strings`);
  }
  if (tokenizer !== undefined && !isTokenizer(tokenizer)) {
    throw new InteropError(code, `${where} ${EXTRA_KEYS.tokenizer} is not tokenizer settings ({ kind, unknownToken, lowercase? })`);
  }
  if (metadata !== undefined && !(typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata))) {
    throw new InteropError(code, `${where} ${EXTRA_KEYS.metadata} is not a JSON object`);
  }
  try {
    return new Model({
      embedding: model.embedding,
      layers: model.layers,
      head: model.head,
      vocabulary: (vocabulary as string[] | undefined) ?? model.vocabulary,
      tokenizer: (tokenizer as TokenizerSettings | undefined) ?? model.tokenizer,
      metadata: (metadata as Record<string, unknown> | undefined) ?? model.metadata,
    });
  } catch (error) {
    if (error instanceof LstmStreamError) throw new InteropError(error.code, `${where}: ${error.message}`, { cause: error });
    throw error;
  }
}

function isTokenizer(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const settings = value as Record<string, unknown>;
  return (settings.kind === 'word' || settings.kind === 'char') && typeof settings.unknownToken === 'string' && (settings.lowercase === undefined || typeof settings.lowercase === 'boolean');
}

