import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          // Fast unit tests run first; the slower integration tier after them.
          sequence: { groupOrder: 0 },
          include: ['{protocol,simulators,gateway,server,dashboard}/test/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/**/*.test.ts'],
          // Real brokers, PTYs, databases and a browser: give them room on a 2-core machine.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
