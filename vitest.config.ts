import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Every report a test makes is checked against the shipped schema/report.schema.json.
    setupFiles: ['test/setup-report-schema.ts'],
    // Two cores on CI: each GPU suite drives its own headless Chromium, so files run one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
