// ESLint with typescript-eslint's type-aware rules. The ones that matter most in a bot full of
// async handlers: no-floating-promises (a rejected promise nobody awaits is an unhandled
// rejection, which stops the bot) and no-misused-promises (an async function where a callback's
// result is ignored). Formatting is Prettier's alone (eslint-config-prettier turns off the rest).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '.test-dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Interfaces (Store, RateLimiter, JobReporter) are async by contract; an in-memory
      // implementation that has nothing to await is still right.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // An AbortSignal's reason is typed `any` but is the Error its owner aborted with.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    // Tests and fakes read loosely typed JSON bodies on purpose (what Discord or a member sent).
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // The fakes turn JSON values into strings as Discord's own parser would.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
  {
    // After eslint-config-prettier, which turns max-len off. Prettier wraps code at 140; what it
    // cannot wrap (comments) is held to the same width. Message texts, test names and URLs stay
    // whole: a sentence split over two strings cannot be found by searching for it.
    rules: {
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
);
