#!/usr/bin/env node
// Builds the package into dist/: the browser entry (dist/perifat.js), the worker (dist/worker.js),
// the Node entry (dist/node.js), the CLI (dist/cli.js) and the classification's worker body
// (dist/shell-worker.js) with the chunks they share (dist/node-*.js), the headless runner's page (dist/browser/perifat.js) and the type declarations (dist/types, with relative imports that
// name their file, so TypeScript resolves them under `node16`/`nodenext` too). WGSL is inlined as strings,
// so consumers' bundlers see plain ES modules. The browser entries must not load dcmjs or the codecs
// statically (checked on esbuild's metafile); the codecs' .wasm files go beside the chunks that
// locate them (`new URL('./x.wasm', import.meta.url)`); source maps carry no sources; only the
// declarations the public entries reach are kept. Prints the gzipped size of the browser entry.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readFileSync,
  rmSync,
  mkdirSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { assertLazy, pruneDeclarations } from './package-shape.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** `import code from './x.wgsl?raw'` → the file's text (what Vite does in development). */
const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: resolve(a.resolveDir, a.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, (a) => ({ contents: readFileSync(a.path, 'utf8'), loader: 'text' }));
  },
};

/** The wasm codecs' Emscripten glue requires fs/path on its Node branch only: empty in a browser. */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^(fs|path|crypto)$/ }, (a) => ({ path: a.path, namespace: 'empty' }));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  // Maps for stack traces, without the sources (they would triple the package's size).
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [rawText],
};

/** What the Node entries leave to `import`: packages found at run time from node_modules. */
const nodeExternal = [
  // The codecs' Emscripten glue reads its .wasm beside itself.
  '@cornerstonejs/codec-charls',
  '@cornerstonejs/codec-openjpeg',
  // Loaded through createRequire by `perifat analyze` only.
  '@stdlib/*',
  'uplot',
  // Optional peers: the headless-Chromium runner, and the page bundler of a source checkout.
  'puppeteer-core',
  'vite',
];

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const [browserBuild] = await Promise.all([
  // Browser: everything bundled (dcmjs, codecs, fflate), codecs split into chunks loaded on demand.
  build({
    ...common,
    plugins: [rawText, noNodeBuiltins],
    platform: 'browser',
    splitting: true,
    // The worker client as an entry of its own (never imported by path): esbuild cuts chunks by which
    // entries reach a module, so its few modules get a chunk apart from the engine's, and a page that
    // imports only createWorkerEngine (the package is "sideEffects"-free) ships only that.
    entryPoints: {
      perifat: 'src/api/index.ts',
      worker: 'src/api/worker.ts',
      'chunks/worker-client': 'src/api/worker-client.ts',
    },
    outdir: dist,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
  }),
  // Node: bundled but for nodeExternal (those are perifat's runtime dependencies). Split into
  // chunks beside the entries (dist/node-*.js, not dist/chunks/: each file finds its siblings,
  // shell-worker.js and browser/, next to itself through import.meta.url): the CLI and perifat/node
  // share one copy of the code, and a command loads only its own (`perifat measure` on NIfTI never
  // parses dcmjs). Bundled CommonJS (dcmjs) calls require() for Node built-ins: give each file one.
  build({
    ...common,
    platform: 'node',
    external: nodeExternal,
    splitting: true,
    chunkNames: 'node-[hash]',
    // The ES builds (dcmjs.es.js: no Babel runtime), as the browser bundles use.
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __perifatRequire } from 'node:module'; const require = __perifatRequire(import.meta.url);",
    },
    entryPoints: {
      node: 'src/api/node.ts',
      cli: 'src/cli/main.ts',
      'shell-worker': 'src/platform/node/shell-worker.ts',
    },
    outdir: dist,
  }),
  // The headless runner's page.
  build({
    ...common,
    plugins: [rawText, noNodeBuiltins],
    platform: 'browser',
    entryPoints: { perifat: 'src/platform/page/entry.ts' },
    outdir: join(dist, 'browser'),
  }),
]);
// The browser entries: dcmjs, the JPEG decoders and their glue only through dynamic import().
const lazy = [
  /node_modules\/dcmjs\//,
  /codec-charls/,
  /codec-openjpeg/,
  /jpeg-lossless-decoder-js/,
  /src\/io\/dicom-read/,
];
for (const entry of ['perifat.js', 'worker.js']) {
  const out = Object.keys(browserBuild.metafile.outputs).find((o) => o.endsWith(`dist/${entry}`));
  assertLazy(browserBuild.metafile, out, lazy);
}
// The codecs' binaries beside the code that locates them (src/io/codec-wasm.ts).
const require = createRequire(import.meta.url);
for (const pkg of ['codec-charls', 'codec-openjpeg']) {
  const wasm = require.resolve(`@cornerstonejs/${pkg}/decodewasm`);
  for (const dir of [join(dist, 'chunks'), join(dist, 'browser')])
    copyFileSync(wasm, join(dir, wasm.split(/[\\/]/).pop()));
}
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
addDeclarationExtensions(join(dist, 'types'));
pruneDeclarations(join(dist, 'types'), ['api/index.d.ts', 'api/node.d.ts', 'api/worker.d.ts']);

/**
 * tsc writes the sources' extension-less relative imports into the declarations. Bundler-style
 * resolution finds them; Node's ESM resolution (`moduleResolution: node16`/`nodenext`, a TypeScript
 * script using perifat/node) does not, and every type behind such an import silently becomes
 * `any`. Each relative specifier is given the file it means: `./x` → `./x.js` (x.d.ts) or
 * `./x/index.js` (x/index.d.ts).
 */
function addDeclarationExtensions(dir) {
  const spec = /(\bfrom\s*|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g;
  for (const f of readdirSync(dir, { recursive: true })) {
    const file = join(dir, String(f));
    if (!file.endsWith('.d.ts')) continue;
    const here = dirname(file);
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(spec, (all, lead, quote, path) => {
      if (/\.(js|mjs|cjs|json)$/.test(path)) return all;
      const target = resolve(here, path);
      if (existsSync(`${target}.d.ts`)) return `${lead}${quote}${path}.js${quote}`;
      if (existsSync(join(target, 'index.d.ts'))) return `${lead}${quote}${path}/index.js${quote}`;
      throw new Error(`${file}: cannot resolve the declaration import "${path}"`);
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

function sizeOf(dir, filter) {
  let raw = 0;
  let gz = 0;
  for (const f of readdirSync(dir, { recursive: true })) {
    const p = join(dir, f);
    if (!statSync(p).isFile() || !filter(String(f))) continue;
    const b = readFileSync(p);
    raw += b.length;
    gz += gzipSync(b).length;
  }
  return { raw, gz };
}
const entry = sizeOf(dist, (f) => f === 'perifat.js');
const all = sizeOf(
  dist,
  (f) => (f === 'perifat.js' || f.startsWith('chunks/')) && f.endsWith('.js') && !f.includes('node-'),
);
console.log(
  `dist/perifat.js ${(entry.raw / 1024).toFixed(0)} KiB (${(entry.gz / 1024).toFixed(0)} KiB gzipped); with codec chunks ${(all.gz / 1024).toFixed(0)} KiB gzipped`,
);
