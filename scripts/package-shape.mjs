// Checks and trims of what scripts/build.mjs publishes: the static import closure of a bundle's
// entry (from esbuild's metafile: what a page downloads before any dynamic import), and the type
// declarations reachable from the public entries (the rest are internals a consumer never sees).
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Every output file an entry loads through static `import` statements, the entry included. */
export function staticClosure(metafile, entryOut) {
  const seen = new Set();
  const stack = [entryOut];
  while (stack.length) {
    const out = stack.pop();
    if (seen.has(out)) continue;
    seen.add(out);
    const o = metafile.outputs[out];
    if (!o) throw new Error(`metafile has no output ${out}`);
    for (const i of o.imports) if (i.kind === 'import-statement' && !i.external) stack.push(i.path);
  }
  return [...seen];
}

/** Input files (sources, node_modules) bundled into the outputs given. */
export function inputsOf(metafile, outputs) {
  return outputs.flatMap((o) => Object.keys(metafile.outputs[o].inputs));
}

/** Fail the build when an entry's static closure holds an input matching one of the patterns. */
export function assertLazy(metafile, entryOut, forbidden) {
  const inputs = inputsOf(metafile, staticClosure(metafile, entryOut));
  const bad = inputs.filter((i) => forbidden.some((re) => re.test(i)));
  if (bad.length) throw new Error(`${entryOut} loads statically what should load on demand: ${bad.join(', ')}`);
}

/** Relative specifiers of a declaration file (`from './x.js'`, `import('./x.js')`). */
function relativeImports(text) {
  const spec = /(?:\bfrom\s*|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\1/g;
  return [...text.matchAll(spec)].map((m) => m[2]);
}

/**
 * Keep only the declarations the public entries reach (imports already carry their `.js`), delete
 * the others and the folders left empty. Returns how many were kept and removed.
 */
export function pruneDeclarations(dir, entries) {
  const keep = new Set();
  const stack = entries.map((e) => resolve(dir, e));
  while (stack.length) {
    const file = stack.pop();
    if (keep.has(file)) continue;
    keep.add(file);
    for (const s of relativeImports(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), s).replace(/\.js$/, '.d.ts');
      if (!existsSync(target)) throw new Error(`${relative(dir, file)}: declaration import ${s} not found`);
      stack.push(target);
    }
  }
  let removed = 0;
  for (const f of readdirSync(dir, { recursive: true })) {
    const file = join(dir, String(f));
    if (file.endsWith('.d.ts') && !keep.has(file)) {
      rmSync(file);
      removed++;
    }
  }
  removeEmptyDirs(dir);
  return { kept: keep.size, removed };
}

function removeEmptyDirs(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeEmptyDirs(join(dir, e.name));
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}
