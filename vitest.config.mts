import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'functions/**/*.test.ts', 'shared/**/*.test.ts', 'local-host/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end files start their own hosts; two at a time keeps a 2-core machine responsive.
    maxWorkers: 2,
    pool: 'forks',
  },
});
