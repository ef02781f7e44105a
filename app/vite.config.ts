import { defineConfig } from 'vite';

// The page is built on its own (`npm run demo` builds it into app/dist and serves that): relative
// asset URLs so it works from the token path the demo server puts it under.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  logLevel: 'warn',
});
