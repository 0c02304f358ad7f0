// ESLint with typescript-eslint (why this over Biome's linter: docs/contributing.md). Lint only — no
// formatting rules: the layout is the Biome formatter's (biome.json, `npm run format`). The rules are the
// recommended sets, which the code follows; the few settings below say where the code deliberately differs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'globalThis',
    'fetch',
    'AbortController',
    'TextEncoder',
    'TextDecoder',
    'performance',
    'structuredClone',
    '__dirname',
    'require',
    'module',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.e2e-cache/**', 'value-lens-demo/**', 'test-results/**', '**/*.d.ts', 'out/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a value left out on purpose (`const { key: _key, ...rest } = o`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
          caughtErrors: 'none',
        },
      ],
      // Sanitisers and validators match control characters on purpose (src/core/text.ts, shared/protocol.ts).
      'no-control-regex': 'off',
    },
  },
  {
    // Tests install the `vscode` stub first and only then load the modules under test, with require().
    files: ['test/**', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // TypeScript itself reports undefined names in .ts files; the build and test scripts are plain Node.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: NODE_GLOBALS },
  },
);
