// Two projects: unit specs beside the code, end-to-end specs under test/.
// Both compile with @swc/jest (decorator metadata on) so DI and class-validator work as in the build.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

// The tree-sitter loader (src/execution) calls import() in CommonJS, which jest's module sandbox
// rejects; compiling that one package turns the import() into require().
const swcJs = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: __dirname,
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  transform: { '^.+\\.ts$': swc, '/node_modules/@vscode/tree-sitter-wasm/.+\\.js$': swcJs },
  transformIgnorePatterns: ['/node_modules/(?!@vscode/tree-sitter-wasm/)'],
};

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Every answer of an e2e app is checked against the published OpenAPI document.
      setupFilesAfterEnv: ['<rootDir>/test/support/response-validation.setup.ts'],
    },
  ],
};
