import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'coverage/**', 'web/shared/api-schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // The web app's single-file components: Vue's essential rules, TypeScript in <script setup> (names are
  // checked by vue-tsc, as tsc does for .ts files).
  ...pluginVue.configs['flat/essential'],
  {
    files: ['web/**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: { 'no-undef': 'off' },
  },
  // The CLI and scripts print to stdout on purpose; services never do (they log through pino).
  { files: ['cli/src/**', 'scripts/**', 'bench/**', 'bin/**'], rules: { 'no-console': 'off' } },
);
