import { afterAll, beforeAll, expect } from 'vitest';

/**
 * Records every unhandled promise rejection while a suite runs and fails the
 * suite's afterAll if there was one. Vitest fails a run on them by itself, but
 * steps aside when another 'unhandledRejection' listener exists (it assumes
 * user code handles them), so this listener must fail the suite itself: it
 * does, in afterAll. It also makes the rule hold under `bun test`.
 * Returns the live list (for the self-test that proves the listener works).
 */
export function trackUnhandledRejections(): unknown[] {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    seen.push(reason);
  };
  beforeAll(() => {
    process.on('unhandledRejection', onRejection);
  });
  afterAll(async () => {
    // Unhandled rejections are reported after a macrotask; give them the chance.
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', onRejection);
    expect(seen).toEqual([]);
  });
  return seen;
}
