// ESLint (flat config): typescript-eslint's recommended rules on the TypeScript, the recommended JavaScript rules on
// the scripts, and nothing about layout (Prettier owns that: eslint-config-prettier turns such rules off).
// The direction of dependencies between libraries is checked by dependency-cruiser (.dependency-cruiser.cjs).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'bench/results/**', 'libs/database/src/migrations/*-*.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names mark what an interface makes us accept but we do not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The codebase types its way out of `any` where it must, with a comment saying why.
      '@typescript-eslint/no-explicit-any': 'off',
      // Migrations list classes as `Function[]`, as TypeORM types them.
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    files: ['apps/web/**/*.ts', 'public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
  },
  prettier,
);
