import { ErrorCode } from '../errors.ts';
import { SourceError } from './errors.ts';
import { messageOf } from './read-file.ts';
import { importFsPromises } from './node-modules.ts';

/**
 * Writes bytes to path atomically (Node, Deno, Bun): into a new temporary
 * file in the same directory, flushed to disk, then renamed over the target,
 * so a reader sees the old file or the whole new one, never a partial one,
 * even if the process dies mid-write. The temporary file is removed on
 * failure. Throws SourceError (FILE_WRITE_FAILED). Cost: one write of the bytes and an fsync.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await importFsPromises();
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const directory = slash >= 0 ? path.slice(0, slash + 1) : '';
  const base = path.slice(slash + 1);
  const temporary = `${directory}.${base}.${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}.tmp`;
  let created = false;
  try {
    const handle = await fs.open(temporary, 'wx');
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    if (created) await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw new SourceError(ErrorCode.FILE_WRITE_FAILED, `cannot write ${path}: ${messageOf(error)}`, { cause: error });
  }
}
