import { writeFileAtomic } from '../io/write-file-atomic.ts';
import type { Model } from '../model/model.ts';
import { encodeModel, type EncodeOptions } from './encode-model.ts';

/**
 * Encodes a model ({@link encodeModel}) and writes it to path atomically:
 * a temporary file in the same directory, flushed, then renamed over path
 * (Node, Deno, Bun; node:fs is imported lazily). Resolves to the number of
 * bytes written. Throws FormatError for an unencodable model and SourceError
 * (FILE_WRITE_FAILED) when the file cannot be written. Cost: the file's bytes in memory once.
 */
export async function saveModel(path: string, model: Model, options: EncodeOptions = {}): Promise<number> {
  const bytes = encodeModel(model, options);
  await writeFileAtomic(path, bytes);
  return bytes.length;
}
