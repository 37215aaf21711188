import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 120_000,
    pool: 'forks',
    // a private TMPDIR per run; fails the run when a test leaves files in it
    globalSetup: ['./vitest.global.ts'],
  },
});
