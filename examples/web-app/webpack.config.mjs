// webpack 5 builds the same pages as Vite: `npx webpack` (webpack-cli) or the Node API with this
// object, as test/package/web-app.test.ts does. Nothing here is perifat-specific: webpack turns
// perifat's `new URL('./x.wasm', import.meta.url)` into emitted assets and the app's
// `new Worker(new URL('./x.js', import.meta.url), { type: 'module' })` into worker chunks by itself.
// The HTML pages load ./src/<page>.js: copy them (and public/) next to the output.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  context: fileURLToPath(new URL('.', import.meta.url)),
  entry: {
    main: './src/main.js',
    'worker-engine': './src/worker-engine.js',
    codecs: './src/codecs.js',
  },
  output: {
    path: fileURLToPath(new URL('./dist-webpack', import.meta.url)),
    filename: 'src/[name].js',
    chunkFilename: 'src/[name].[contenthash:8].js',
    assetModuleFilename: 'src/[name].[contenthash:8][ext]',
    clean: true,
  },
  // The codecs' .wasm are large on purpose (decoders loaded on demand): no size warnings for them.
  performance: { hints: false },
};
