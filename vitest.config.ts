import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Unhandled rejections fail the run (vitest's default), and nothing is retried.
    dangerouslyIgnoreUnhandledErrors: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
