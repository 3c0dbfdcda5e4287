// Lint configuration: the recommended rules of eslint and typescript-eslint, over every TypeScript source.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test-output/**', 'test/fixtures/**', 'examples/**', '.vscode-test/**', 'model/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
  },
  {
    // The language server is pure: it never reaches into the editor, the runtime or native code; it reads the
    // domain model through its index only.
    files: ['server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['vscode'], message: 'The server never imports vscode.' },
        { group: ['**/runtime/**', '**/native/**', '**/client/**', 'koffi'], message: 'The server imports nothing of the runtime, native code or the client.' },
        { group: ['**/model/src/**', '**/model/data/**', '**/model/index'], message: "Import the model through its index ('../../model'), or its Node-free type entry ('model/types')." },
      ] }],
    },
  },
  {
    // The runtime reads the domain model through its index, never the language server's internals.
    files: ['runtime/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['vscode'], message: 'The runtime never imports vscode.' },
        { group: ['**/server/**', '**/client/**'], message: "The runtime imports nothing of the language server or the client: what both need is in model/ (import '../../model')." },
        { group: ['**/model/src/**', '**/model/data/**', '**/model/index'], message: "Import the model through its index ('../../model'), or its Node-free type entry ('model/types')." },
      ] }],
    },
  },
  {
    // The domain model is pure: it imports none of the processes, the editor or native code.
    files: ['model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['vscode'], message: 'The model never imports vscode.' },
        { group: ['**/server/**', '**/runtime/**', '**/client/**', '**/native/**', 'koffi'], message: 'The model imports nothing of the server, the runtime, the client or native code.' },
      ] }],
    },
  },
  {
    // Only the runtime touches native code.
    files: ['client/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/native/**', 'koffi'], message: 'Only the runtime touches native code.' },
      ], paths: [] }],
    },
  },
);
