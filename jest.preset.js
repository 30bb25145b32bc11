const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  // Skipped tests are listed by name (live specs skip visibly when their vendor key is missing).
  reporters: ['default', require.resolve('./tools/jest/skipped-reporter.cjs')],
  // Resolve @voice/* to src through the custom export condition: tests never read a stale dist/.
  testEnvironmentOptions: { customExportConditions: ['@voice/source', 'node', 'require', 'default'] },
};
