import { ErrorCode } from '../errors.ts';
import { SourceError } from './errors.ts';
import { largeBytes } from './large-bytes.ts';
import { importFsPromises } from './node-modules.ts';

/**
 * Reads a whole file (Node, Deno, Bun). The size is checked against maxBytes
 * before the file is read, so an oversized file allocates nothing.
 * Throws SourceError: SOURCE_READ_FAILED (missing, unreadable) or LIMIT_EXCEEDED.
 * Cost: one buffer of the file's size (see largeBytes: collected, it leaves no resident residue).
 */
export async function readFileBytes(path: string, maxBytes: number): Promise<Uint8Array> {
  const fs = await importFsPromises();
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    throw new SourceError(ErrorCode.SOURCE_READ_FAILED, `cannot open ${path}: ${messageOf(error)}`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new SourceError(ErrorCode.LIMIT_EXCEEDED, `${path} is ${size} bytes, over the maxBytes limit of ${maxBytes}`);
    }
    const bytes = largeBytes(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // A file that shrank while being read yields its shorter content (the format check then sees the truncation).
    return filled === size ? bytes : bytes.subarray(0, filled);
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError(ErrorCode.SOURCE_READ_FAILED, `cannot read ${path}: ${messageOf(error)}`, { cause: error });
  } finally {
    await handle.close();
  }
}

/** The message of an error (or the thing thrown, as text), for wrapping it in a SourceError. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
