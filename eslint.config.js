// Lint that earns its keep: promises that are neither awaited nor handled, promises passed where a
// callback's result is ignored, import order, focused tests, Svelte's own rules, and the layers.
import js from '@eslint/js'
import importX from 'eslint-plugin-import-x'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tools/**', '**/src/proto/*.ts', 'packages/shared/test/fixtures/room-v1.ts', 'e2e/test-results/**', 'e2e/playwright-report/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte']
      }
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'import-x/order': ['error', {
        groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index', 'type'],
        alphabetize: { order: 'asc', caseInsensitive: true }
      }],
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.object.name=/^(test|it|describe)$/][callee.property.name='only']",
        message: 'No focused tests: .only would silently skip the rest of the suite.'
      }]
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } }
  },
  // Layers run one way (ARCHITECTURE.md): components → lib/state → lib/p2p → packages/shared.
  {
    files: ['apps/web/src/components/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{
          name: '@p2p-chat/shared',
          message: 'Components import @p2p-chat/shared/protocol (names, codecs, constants), which loads no libp2p service.'
        }],
        patterns: [{
          group: ['**/lib/p2p', '**/lib/p2p/**', 'libp2p', 'libp2p/**', '@libp2p/**', '@chainsafe/**'],
          message: 'Components never touch libp2p: render the session (lib/state) and call its actions.'
        }]
      }]
    }
  },
  {
    files: ['apps/web/src/lib/p2p/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['svelte', 'svelte/**', '**/lib/state', '**/lib/state/**', '../state', '../state/**'],
          message: 'lib/p2p is plain TypeScript: no Svelte, no state (the state layer uses it, not the other way).'
        }]
      }]
    }
  },
  {
    files: ['packages/shared/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['@p2p-chat/web', '@p2p-chat/web/**', '@p2p-chat/relay', '@p2p-chat/relay/**', '@p2p-chat/cli', '@p2p-chat/cli/**', '**/apps/**'],
          message: 'packages/shared never imports an app: apps depend on it.'
        }]
      }]
    }
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked
  }
)
