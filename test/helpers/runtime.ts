/** Which JavaScript runtime runs this test file. */
export type RuntimeName = 'node' | 'deno' | 'bun';

export function runtimeName(): RuntimeName {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Bun !== undefined) return 'bun';
  if (g.Deno !== undefined) return 'deno';
  return 'node';
}

/** True on Node: for the few suites that need V8 flags or Node-only APIs (stated in README). */
export const onNode = runtimeName() === 'node';
