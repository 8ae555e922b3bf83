import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shipped next-word model, relative to the package root. */
export const DEFAULT_MODEL = 'models/brown-lstm.q8.msgpack';

/**
 * The package root: the nearest folder above this file whose package.json is
 * lstm-stream's (dist/cli.js in a package, src/cli/ in a checkout).
 */
export function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'lstm-stream') return directory;
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cannot find the lstm-stream package root above the CLI');
    directory = parent;
  }
}

/** The path of the shipped default model, or null when this checkout does not have it. */
export function defaultModelPath(): string | null {
  const path = join(packageRoot(), DEFAULT_MODEL);
  return existsSync(path) ? path : null;
}
