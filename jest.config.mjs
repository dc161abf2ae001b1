/**
 * Jest runs in ESM mode (Nest 12 ships as ESM only): `npm test` starts it with --experimental-vm-modules.
 * Two projects: `unit` (specs beside the code, no I/O) and `e2e` (integration and end-to-end specs on a real
 * PostgreSQL: the embedded one, or DATABASE_URL when it is set; see test/support/global-setup.ts).
 */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@app/([^/]+)$': '<rootDir>/libs/$1/src',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }],
  },
};

export default {
  // A global option (Jest ignores it inside projects): e2e tests start servers and browsers.
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/libs/**/*.int-spec.ts'],
      setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    // `npm run screenshots` only: refreshes docs/screenshots (test/screenshots/readme.screenshots.ts). Not a test.
    ...(process.env.SCREENSHOTS === '1'
      ? [
          {
            ...shared,
            displayName: 'screenshots',
            testMatch: ['<rootDir>/test/screenshots/*.screenshots.ts'],
            globalSetup: '<rootDir>/test/support/global-setup.ts',
            globalTeardown: '<rootDir>/test/support/global-teardown.ts',
          },
        ]
      : []),
  ],
};
