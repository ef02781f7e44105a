#!/usr/bin/env node
// Builds the package into dist/: the browser entry (dist/perifat.js), the worker (dist/worker.js),
// the Node entry and CLI (dist/node.js, dist/cli.js, dist/shell-worker.js), the headless runner's
// page (dist/browser/perifat.js) and the type declarations (dist/types, with relative imports that
// name their file, so TypeScript resolves them under `node16`/`nodenext` too). WGSL is inlined as strings,
// so consumers' bundlers see plain ES modules. Prints the gzipped size of the browser entry.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

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
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [rawText],
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await Promise.all([
  // Browser: everything bundled (dcmjs, codecs, fflate), codecs split into chunks loaded on demand.
  build({
    ...common,
    plugins: [rawText, noNodeBuiltins],
    platform: 'browser',
    splitting: true,
    entryPoints: { perifat: 'src/api/index.ts', worker: 'src/api/worker.ts' },
    outdir: dist,
    chunkNames: 'chunks/[name]-[hash]',
  }),
  // Node: dependencies stay packages (installed with perifat). No splitting: each file finds its
  // siblings (shell-worker.js, browser/) next to itself through import.meta.url.
  build({
    ...common,
    platform: 'node',
    packages: 'external',
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
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
addDeclarationExtensions(join(dist, 'types'));

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
