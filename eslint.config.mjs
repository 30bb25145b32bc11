// Lint: module boundaries by tag (docs/architecture.md "Rules that keep it composable") and promise hygiene.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Who may import whom. `testing` is for tests and tools only: production code of libs and apps may not import it.
const productionConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:provider', 'type:protocol', 'type:dsp'] },
  { sourceTag: 'type:provider', onlyDependOnLibsWithTags: ['type:feature', 'type:protocol', 'type:dsp'] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:protocol', 'type:dsp'] },
  { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: ['type:dsp'] },
  { sourceTag: 'type:dsp', onlyDependOnLibsWithTags: ['type:dsp'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:feature', 'type:provider', 'type:protocol', 'type:dsp'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:tool', 'type:testing', 'type:feature', 'type:provider', 'type:protocol', 'type:dsp'] },
  { sourceTag: 'lang:python', onlyDependOnLibsWithTags: [] },
];
// Tests (and a lib's ./testing contract suites) may also use the fakes.
const testConstraints = productionConstraints.map((c) =>
  c.sourceTag.startsWith('type:') && c.sourceTag !== 'type:dsp'
    ? { ...c, onlyDependOnLibsWithTags: [...new Set([...c.onlyDependOnLibsWithTags, 'type:testing'])] }
    : c,
);
const boundaries = (depConstraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints, banTransitiveDependencies: false },
];

export default [
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/.venv', '**/test-output', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(productionConstraints),
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only apps read process.env; libraries take options.' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/src/testing/**/*.ts', 'tools/**/*.ts', 'apps/**/*.ts', '**/bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(testConstraints), 'no-restricted-properties': 'off' },
  },
];
