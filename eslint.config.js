import tseslint from 'typescript-eslint';
import perifat from './eslint/perifat-rules.js';

/** Layers that hold no GPU object: the domain, the GPU-free shells plan, CPU code, I/O, statistics. */
const GPU_FREE = [
  'src/measure/**',
  'src/shells/**',
  'src/centerlines/**',
  'src/stats/**',
  'src/volume/**',
  'src/io/**',
  'src/phantom/**',
];
const GPU_TYPES = ['GPUDevice', 'GPUBuffer', 'GPUAdapter', 'GPUCommandEncoder', 'GPUComputePipeline', 'GPUQueue'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bin/**',
      '.tmp/**',
      'app/dist/**',
      'examples/web-app/dist*/**',
      'test/artifacts/**',
      'bench/device/out/**',
      // AssemblyScript (compiled by scripts/build-wasm.mjs, not TypeScript).
      'src/**/*.as.ts',
    ],
  },
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
    // Layers (eslint/perifat-rules.js): no folder of src/ imports one above it, and no import cycle.
    files: ['src/**/*.ts'],
    plugins: { perifat },
    rules: { 'perifat/layers': 'error', 'perifat/no-cycle': 'error' },
  },
  {
    // The GPU-free layers hold no GPU object either (the layer rule already keeps GPU code out).
    files: GPU_FREE,
    rules: {
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
