// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/peers/**', '**/*.js', '**/*.mjs'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts', 'examples/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  // Module boundaries (docs/architecture.md, "What may import what"). Each block lists every
  // pattern that applies to its files: a later block for the same file replaces the rule.
  boundaries('src/**/*.ts', ['src/cli/**', 'src/cli.ts', 'src/**/*.module.ts', 'src/**/*.spec.ts']),
  boundaries('src/**/*.module.ts', ['src/cli/**', 'src/**/*.spec.ts'], { controllers: true }),
  boundaries('src/{planning,model}/**/*.ts', ['src/**/*.module.ts', 'src/**/*.spec.ts'], {
    agent: false,
  }),
  boundaries('src/{planning,model}/**/*.module.ts', [], { agent: false, controllers: true }),
  boundaries('src/execution/**/*.ts', ['src/**/*.module.ts', 'src/**/*.spec.ts'], {
    agent: false,
    model: false,
  }),
  boundaries('src/execution/**/*.module.ts', [], { agent: false, model: false, controllers: true }),
  boundaries('src/{contracts,common}/**/*.ts', ['src/**/*.spec.ts'], { layers: false }),
  // Small files and functions (CONTRIBUTING.md): no source file over 400 lines, no function over 60.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts', 'src/**/*.fixtures.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': [
        'error',
        { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true },
      ],
    },
  },
);

/**
 * One `no-restricted-imports` rule for `files`: nobody imports the CLI, main.ts or (outside
 * module files) a controller; `agent: false` keeps a layer below the task core; `model: false`
 * keeps execution independent of the model; `layers: false` lets shared code import only shared
 * code (contracts, common, config).
 */
function boundaries(files, ignores, allow = {}) {
  const forbid = (regex, message) => ({ regex, message });
  const patterns = [
    forbid('^(\\.\\./)+cli(/|$)', 'Nothing imports the CLI (docs/architecture.md).'),
    forbid('(^|/)main$', 'Nothing imports main.ts; import src/app/serve instead.'),
  ];
  if (!allow.controllers) {
    patterns.push(forbid('\\.controller$', 'Only module files import controllers.'));
  }
  if (allow.agent === false) {
    patterns.push(
      forbid('^(\\.\\./)+agent(/|$)', 'Planning, model and execution never import agent/.'),
    );
  }
  if (allow.model === false) {
    patterns.push(
      forbid('^(\\.\\./)+model(/|$)', 'Execution never imports model/ (use src/contracts).'),
    );
  }
  if (allow.layers === false) {
    patterns.push(
      forbid(
        '^(\\.\\./)+(admin|agent|app|auth|cli|client|execution|health|library|logging|metrics|model|planning|status|throttling)(/|$)',
        'src/contracts and src/common import only shared code (contracts, common, config).',
      ),
    );
  }
  return { files: [files], ignores, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}
