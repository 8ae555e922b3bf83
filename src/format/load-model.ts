import { ErrorCode } from '../errors.ts';
import { SourceError } from '../io/errors.ts';
import { readSource, type ByteSource } from '../io/read-source.ts';
import type { Model } from '../model/model.ts';
import { buildModel } from './build-model.ts';
import type { DecodeOptions } from './decode-model.ts';
import { FormatError } from './errors.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { readModelFile } from './read-model-file.ts';

/** Options of {@link loadModel}: the size limits of decodeModel, and an AbortSignal for fetches and streams. */
export interface LoadOptions extends DecodeOptions {
  readonly signal?: AbortSignal;
}

/**
 * Loads a model file from a Uint8Array, ArrayBuffer, file path (Node, Deno,
 * Bun), URL, fetch Response, Blob or ReadableStream, and decodes it with
 * {@link decodeModel}. maxBytes is enforced while reading, before the bytes
 * are gathered where the size is known up front (files, Content-Length, Blobs).
 * Throws FormatError for a bad file (a source over maxBytes included) and
 * SourceError when the bytes cannot be read. Only the path loader imports a
 * `node:` module, lazily. Cost: the bytes read, which (unless they are the
 * caller's own array) hold the int8 weights until the first WebAssembly
 * session copies them into kernel memory (see buildModel), plus the rest of
 * the model.
 */
export async function loadModel(source: ByteSource, options: LoadOptions = {}): Promise<Model> {
  const maxBytes = options.maxBytes ?? DEFAULT_LIMITS.maxBytes;
  let bytes: Uint8Array;
  try {
    bytes = await readSource(source, { maxBytes, signal: options.signal });
  } catch (error) {
    // Too many bytes is a property of the file, so it gets the format's error class like every other limit.
    if (error instanceof SourceError && error.code === ErrorCode.LIMIT_EXCEEDED) {
      throw new FormatError(ErrorCode.LIMIT_EXCEEDED, error.message, { cause: error });
    }
    throw error;
  }
  // Bytes read here (a file, a fetch, a Blob, a stream) are held by nobody else, so the int8 weights
  // may stay views of them; the caller's own bytes are copied, as decodeModel does.
  const ownBytes = !(source instanceof ArrayBuffer || ArrayBuffer.isView(source));
  return buildModel(readModelFile(bytes, { ...options, verifyChecksum: true }), ownBytes ? 'view' : 'copy');
}
