import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: the app works from any folder it is served from.
  base: './',
  worker: { format: 'es' },
  // Pre-bundling would move perifat's chunks away from the codecs' .wasm files beside them.
  optimizeDeps: { exclude: ['perifat'] },
  build: {
    target: 'es2022',
    rollupOptions: { input: { main: 'index.html', workerEngine: 'worker-engine.html', codecs: 'codecs.html' } },
  },
});
