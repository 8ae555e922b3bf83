import type * as FsPromises from 'node:fs/promises';
import type * as Url from 'node:url';

// The inference path must never import a `node:` module statically: browser
// bundlers (webpack 5 in particular) fail on the `node:` scheme even for
// code that is never run. So the file-system modules are loaded here, on
// first use, through a specifier the bundler cannot see. Node, Deno and Bun
// all provide node:fs/promises.
const FS_PROMISES = 'node:fs/promises';
const URL_MODULE = 'node:url';

/** node:fs/promises, imported on first call. Cost: one dynamic import, then cached by the runtime. */
export async function importFsPromises(): Promise<typeof FsPromises> {
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ FS_PROMISES)) as typeof FsPromises;
}

/** node:url, imported on first call (for fileURLToPath, which gets Windows drive letters right). */
export async function importUrl(): Promise<typeof Url> {
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ URL_MODULE)) as typeof Url;
}
