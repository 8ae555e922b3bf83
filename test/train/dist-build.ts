import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (test/train/ is two levels down). */
export const repositoryRoot = new URL('../../', import.meta.url).pathname;

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ with tsup when dist/train.js or dist/index.js is missing or
 * older than a file in src/ (worker threads and the bundle check need the
 * built files). Cost: one tsup run (~15 s) when stale, nothing otherwise.
 */
export function ensureBuiltDist(): void {
  const outputs = ['dist/train.js', 'dist/index.js', 'dist/index.cjs'].map((p) => join(repositoryRoot, p));
  const builtAt = (): number => (outputs.every(existsSync) ? Math.min(...outputs.map((p) => statSync(p).mtimeMs)) : 0);
  const sources = newestSource(join(repositoryRoot, 'src'));
  if (builtAt() >= sources) return;
  try {
    execSync('npx tsup', { cwd: repositoryRoot, stdio: 'pipe' });
  } catch (error) {
    // tsup runs the library build and the CLI build; only the library's files matter here.
    if (builtAt() < sources) throw error;
  }
}
