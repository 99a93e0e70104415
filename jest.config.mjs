/**
 * One jest run, three levels: unit specs beside the code (*.spec.ts),
 * integration specs against the real Postgres and Kafka (*.int-spec.ts), and
 * end-to-end specs in test/ that drive the running apps (*.e2e-spec.ts).
 * Nest 12 is ESM-only, so jest runs in its native ESM mode.
 */
export default {
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@smp/(.*)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.cache/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.cache/'],
  // After the whole run: greps every app log of the run for personal data, and prints the reliability figures.
  globalTeardown: '<rootDir>/test/support/reliability-teardown.mjs',
  maxWorkers: 1,
  testTimeout: 60_000,
};
