import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The suites that run the WGSL through the tests' page (test/helpers/gpu-runner.ts). */
const GPU_SUITES = [
  'test/kernels/*.gpu.test.ts',
  'test/gpu/measure.test.ts',
  'test/gpu/diagnostics.test.ts',
  'test/centerlines/centerlines.gpu.test.ts',
];

export default defineConfig({
  resolve: {
    // wgsl_reflect's "main" is a CommonJS build inside a "type": "module" package; use its ES module.
    alias: [
      {
        find: /^wgsl_reflect$/,
        replacement: fileURLToPath(new URL('./node_modules/wgsl_reflect/wgsl_reflect.module.js', import.meta.url)),
      },
    ],
  },
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Every report a test makes is checked against the shipped schema/report.schema.json.
    setupFiles: ['test/setup-report-schema.ts'],
    // Two cores on CI: each GPU suite drives its own headless Chromium, so files run one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'] } },
      // The GPU suites once more on a second WebGPU implementation: the same page jobs in Node on
      // Dawn for Node (npm webgpu; Mesa llvmpipe where there is no GPU).
      {
        extends: true,
        test: { name: 'dawn', include: GPU_SUITES, env: { PERIFAT_GPU_RUNTIME: 'node' } },
      },
    ],
  },
});
