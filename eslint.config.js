import tseslint from 'typescript-eslint';

/** Layers that hold no GPU object: the domain, the GPU-free shells plan, CPU code, I/O, statistics. */
const GPU_FREE = ['src/measure/**', 'src/shells/**', 'src/cpu/**', 'src/stats/**', 'src/volume/**', 'src/io/**'];
const GPU_TYPES = ['GPUDevice', 'GPUBuffer', 'GPUAdapter', 'GPUCommandEncoder', 'GPUComputePipeline', 'GPUQueue'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', '.tmp/**', 'app/dist/**', 'test/artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Promises are awaited or handled: a forgotten one loses its error (type-aware rules).
    files: ['src/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'app/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // With noUncheckedIndexedAccess on, a cast is needed only where an index may miss: no others.
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    // Data flows one way: read → volume → plan → kernels → histograms → report. These layers may not
    // reach into the GPU host, the kernels, the page or the runner, nor hold a GPU object.
    files: GPU_FREE,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/host/*', '**/kernels/*', '!**/kernels/feature-constants', '**/browser/*', '**/runner/*'],
              message: 'GPU-free layer: no GPU host, kernel module, page or runner import.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-restricted-types': [
        'error',
        { types: Object.fromEntries(GPU_TYPES.map((t) => [t, 'GPU-free layer: no GPU objects here.'])) },
      ],
    },
  },
  {
    // The page is a client of the package: it reaches perifat only through the public entries.
    files: ['app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./src/(?!api/(index|worker)$)',
              message: 'The page uses perifat through its package API (src/api/index, src/api/worker) only.',
            },
          ],
        },
      ],
    },
  },
);
