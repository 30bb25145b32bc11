const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  // In CI a leaked handle must fail loudly, never hang the run (jest inside nx otherwise waits forever). Locally jest
  // keeps reporting "did not exit" so leaks get fixed; contract suites check their own handles explicitly.
  forceExit: process.env.CI === 'true',
  // Skipped tests are listed by name (live specs skip visibly when their vendor key is missing).
  reporters: ['default', require.resolve('./tools/jest/skipped-reporter.cjs')],
  // Resolve @voice/* to src through the custom export condition: tests never read a stale dist/.
  testEnvironmentOptions: { customExportConditions: ['@voice/source', 'node', 'require', 'default'] },
};
