const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  // Resolve @voice/* to src through the custom export condition: tests never read a stale dist/.
  testEnvironmentOptions: { customExportConditions: ['@voice/source', 'node', 'require', 'default'] },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
