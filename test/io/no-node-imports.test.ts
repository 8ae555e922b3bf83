import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The inference entry must load in a browser: no module it reaches may import
// a `node:` module statically. The one file-system loader imports node:fs
// lazily (src/io/node-modules.ts); `import type` is erased and harmless.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

function reachableImports(entry: URL): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (url: URL): void => {
    if (seen.has(url.href)) return;
    const source = readFileSync(url, 'utf8');
    const specifiers = [...source.matchAll(STATIC_IMPORT)].map((m) => m[1] ?? m[2]);
    seen.set(url.href, specifiers);
    for (const specifier of specifiers) if (specifier.startsWith('.')) visit(new URL(specifier, url));
  };
  visit(entry);
  return seen;
}

describe('the inference entry', () => {
  it('reaches no static node: import (only the path loader imports node:fs, lazily)', () => {
    const graph = reachableImports(new URL('../../src/index.ts', import.meta.url));
    expect(graph.size).toBeGreaterThan(30); // the walk really followed the imports
    expect([...graph.keys()].some((file) => file.endsWith('/src/io/read-file.ts'))).toBe(true);
    const offenders = [...graph].flatMap(([file, specifiers]) => specifiers.filter((s) => s.startsWith('node:')).map((s) => `${file} imports ${s}`));
    expect(offenders).toEqual([]);
    const bare = [...graph].flatMap(([, specifiers]) => specifiers.filter((s) => !s.startsWith('.')));
    expect(new Set(bare)).toEqual(new Set(['@msgpack/msgpack']));
  });
});
