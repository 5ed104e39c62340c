import { readdirSync } from 'node:fs';

import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// One-way imports (bulletproof-react): shared code (components, hooks, lib, config, api)
// → features → app. A feature never imports another feature.
const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const noAppImports = { group: ['@/app', '@/app/*'], message: 'Only src/app may import src/app.' };
const noFeatureImports = {
  group: ['@/features', '@/features/*'],
  message: 'Shared code must not import features; pass data in through props.',
};

export default tseslint.config(
  { ignores: ['dist', 'src/api/generated', 'playwright-report', 'test-results', 'coverage'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks, 'react-refresh': reactRefresh },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-refresh/only-export-components': ['error', { allowConstantExport: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      'no-restricted-imports': ['error', { patterns: [noAppImports] }],
    },
  },
  {
    // src/reconnect is the customer page's own entry: the generated API client only.
    files: [
      'src/components/**',
      'src/hooks/**',
      'src/lib/**',
      'src/config/**',
      'src/locales/**',
      'src/reconnect/**',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noAppImports, noFeatureImports] }],
    },
  },
  ...features.map((feature) => ({
    files: [`src/features/${feature}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noAppImports,
            {
              group: ['@/features/*', `!@/features/${feature}`, `!@/features/${feature}/**`],
              message: 'Features must not import each other; compose them in src/app.',
            },
          ],
        },
      ],
    },
  })),
  {
    // Route modules are lazy-loaded through their default export; the router holds lazies.
    files: ['src/app/**'],
    rules: { 'react-refresh/only-export-components': 'off' },
  },
  {
    files: ['**/*.test.{ts,tsx}', 'src/testing/**', 'e2e/**', '*.config.ts', 'scripts/**'],
    rules: {
      // Test helpers render the real app.
      'no-restricted-imports': 'off',
      'react-refresh/only-export-components': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Unit tests share a module graph per worker (vite.config.ts, project 'unit'): a
    // vi.mock there would not replace a module another file imported first.
    files: ['src/**/*.test.{ts,tsx}'],
    ignores: ['src/**/*.isolated.test.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='vi'][callee.property.name=/^(mock|doMock)$/]",
          message: 'vi.mock needs a module graph of its own: name the file *.isolated.test.tsx.',
        },
      ],
    },
  },
  {
    files: ['e2e/**', '*.config.ts'],
    languageOptions: { globals: globals.node },
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
);
