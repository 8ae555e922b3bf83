import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

/**
 * Writes bytes to `path` so that a reader (or a crash) sees either the old
 * file or the complete new one, never a torn file: write to `path.tmp`,
 * fsync, then rename over path (atomic on POSIX file systems). Cold path.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
